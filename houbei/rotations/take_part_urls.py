"""Routes of one's own part in rotation, included by ``houbei.rotations.urls`` (so they
share its ``rotations`` namespace)."""

urlpatterns: list = []
