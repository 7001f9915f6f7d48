# Export download URLs; filled in by the exports work.
urlpatterns: list = []
