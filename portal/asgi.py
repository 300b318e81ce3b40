import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

# WhiteNoise serves static files with a synchronous iterator; under ASGI Django wraps it in a
# thread and warns on every file. The cost is known and small for the admin's few assets.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)

django_application = get_asgi_application()

from gateway.handler import GatewayHandler, serves  # noqa: E402  (needs the apps loaded)

gateway_application = GatewayHandler()


async def application(scope, receive, send):  # type: ignore[no-untyped-def]
    """The model endpoints of the tenant API go to the gateway's lean handler; all else to
    Django's."""
    if scope["type"] == "http" and serves(scope["path"]):
        await gateway_application(scope, receive, send)
    else:
        await django_application(scope, receive, send)
