from django.urls import path

from jisp.core.views import accounts, audit, directory, home, notifications

app_name = "core"

urlpatterns = [
    path("", home.home, name="home"),
    path("area/<slug:key>/", home.area, name="area"),
    path("language/", accounts.language, name="language"),
    # Sign-in
    path("signin/", accounts.signin, name="signin"),
    path("signin/two-factor/", accounts.signin_two_factor, name="signin_two_factor"),
    path("signout/", accounts.signout, name="signout"),
    path("password/reset/", accounts.password_reset, name="password_reset"),
    path(
        "password/reset/<uidb64>/<token>/",
        accounts.password_reset_confirm,
        name="password_reset_confirm",
    ),
    # The person's own account
    path("account/", accounts.profile, name="profile"),
    path("account/password/", accounts.password_change, name="password_change"),
    path("account/two-factor/", accounts.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/disable/", accounts.two_factor_disable, name="two_factor_disable"),
    path("account/tokens/", accounts.tokens, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", accounts.token_revoke, name="token_revoke"),
    path("account/notifications/", notifications.preferences, name="notification_preferences"),
    path("account/webhooks/", notifications.webhooks, name="webhooks"),
    path("account/webhooks/<int:pk>/delete/", notifications.webhook_delete, name="webhook_delete"),
    # Notifications
    path("notifications/", notifications.inbox, name="notifications"),
    path("notifications/<int:pk>/", notifications.open_notification, name="notification_open"),
    path("notifications/read-all/", notifications.mark_all_read, name="notifications_read_all"),
    # Directory
    path("organisations/", directory.organisations, name="organisations"),
    path("organisations/<int:pk>/", directory.organisation, name="organisation"),
    path("organisations/<int:pk>/invite/", directory.invite, name="invite"),
    path("memberships/<int:pk>/", directory.membership, name="membership"),
    path("invitations/<int:pk>/revoke/", directory.invitation_revoke, name="invitation_revoke"),
    path("invitation/<str:token>/", directory.invitation_accept, name="invitation_accept"),
    # Audit
    path("audit/", audit.audit_log, name="audit_log"),
    path("audit/signins/", audit.signins, name="audit_signins"),
]
