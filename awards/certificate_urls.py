# Certificate URLs; filled in by the certificates work.
urlpatterns: list = []
