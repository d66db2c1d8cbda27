from core.routing import route
from evidence.api import views

SIGNED = r"(?P<token>[A-Za-z0-9_\-:.]{1,1000})"

urlpatterns = [
    route(r"jobs/(?P<job_id>\d+)/photos/uploads", views.PhotoUploadStartView.as_view(), "photo-upload-start"),
    route(r"jobs/(?P<job_id>\d+)/photos", views.PhotoListConfirmView.as_view(), "photo-list"),
    # The filesystem's stand-ins for a bucket's presigned POST and GET (signed, expiring).
    route(rf"photo-uploads/{SIGNED}", views.PhotoUploadReceiveView.as_view(), "photo-upload-receive"),
    route(rf"photo-files/{SIGNED}", views.PhotoFileView.as_view(), "photo-file"),
]
