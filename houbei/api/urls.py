from .main import api

# ``include("houbei.api.urls")`` gives the namespace ``api`` (``api:people_list`` …).
app_name = "api"
urlpatterns = api.urls[0]
