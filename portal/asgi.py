import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

# WhiteNoise serves static files with a synchronous iterator; under ASGI Django wraps it in a
# thread and warns on every file. The cost is known and small for the admin's few assets.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)

application = get_asgi_application()
