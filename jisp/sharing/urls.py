from django.urls import path

from jisp.sharing.views import acks, comments, reading, settings, writing

app_name = "sharing"

urlpatterns = [
    # Reading
    path("", reading.topic_list, name="list"),
    path("ranking/", reading.ranking, name="ranking"),
    path("<int:pk>/", reading.topic_detail, name="detail"),
    path("<int:pk>/versions/", reading.versions, name="versions"),
    path("<int:pk>/versions/<int:number>/", reading.version_diff, name="version_diff"),
    path("attachments/<int:pk>/", reading.attachment_download, name="attachment"),
    # Writing and review
    path("new/", writing.topic_new, name="new"),
    path("<int:pk>/edit/", writing.topic_edit, name="edit"),
    path("<int:pk>/submit/", writing.topic_submit, name="submit"),
    path("<int:pk>/withdraw/", writing.topic_withdraw, name="withdraw"),
    path("<int:pk>/attachments/", writing.attachment_upload, name="attachment_upload"),
    path("review/", writing.review_queue, name="review_queue"),
    path("<int:pk>/review/", writing.topic_review, name="review"),
    # Comments
    path("<int:pk>/comments/", comments.comment_post, name="comment_post"),
    path("comments/<int:pk>/delete/", comments.comment_delete, name="comment_delete"),
    # Acknowledgements
    path("<int:pk>/acknowledge/", acks.acknowledge, name="acknowledge"),
    path("<int:pk>/acknowledgements/", acks.ack_status, name="ack_status"),
    path("<int:pk>/remind/", acks.remind, name="remind"),
    # Following, muting, digest
    path("<int:pk>/follow/", settings.follow_topic, name="follow_topic"),
    path("following/", settings.following, name="following"),
]
