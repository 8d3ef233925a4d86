"""Settings for ``bench_load.py`` only: the product's settings with the bench URLconf.

``bench_urls`` adds one bare view (the same bytes as a topic page, from memory) in front of the
product's URLs, so that one gunicorn serves both in the same run. Never used by the product.
"""

from jisp.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
