"""What the schema says of each photo operation: who may call it, what it changes, and
example bodies (``core.api.schema.operation``)."""

from core.api.schema import error_example, operation

UPLOAD_KEY = "eyJrZXkiOiJ1cGxvYWRzLzQyLzlm...:1kq2Zp:Wm3x..."
PHOTO = {
    "id": 7,
    "job": 42,
    "assignment": 93,
    "kind": "delivery",
    "uploaded_by": 12,
    "width": 4032,
    "height": 3024,
    "size_bytes": 1834201,
    "thumbnail_width": 480,
    "thumbnail_height": 360,
    "created_at": "2026-05-12T10:31:07+08:00",
    "url": "https://photos.example.com/photos/42/9f2c.jpg?X-Amz-Signature=...",
    "thumbnail_url": "https://photos.example.com/photos/42/9f2c-thumb.jpg?X-Amz-Signature=...",
    "expires_at": "2026-05-12T10:36:07+08:00",
}
EXPIRED = error_example(400, "upload_expired", "The upload's time ran out; ask for a new one.")
NO_SUCH_UPLOAD = error_example(404, "not_found", "No such upload.")

photo_upload_start = operation(
    "Get a form to upload one photo",
    "For the factory holding a share of the job (kinds `material_received`, `delivery`, about "
    "its own share) and the job's SME (`inspection`, `dispute`, about one of the job's shares "
    "or, without `assignment`, the job). Answers a multipart form for one file: POST `url` with "
    "`fields` as given and the file last in the field `file` (at most `max_bytes`, within "
    "`expires_in` seconds; on object storage a presigned POST straight to the bucket, else "
    "the service's own signed upload URL), then confirm with `upload_key` "
    "(POST /jobs/{id}/photos). Changes nothing.",
    request={"kind": "delivery"},
    response={
        "upload_key": UPLOAD_KEY,
        "url": "https://photos.example.com/",
        "fields": {"key": "uploads/42/9f2c...", "policy": "eyJ...", "x-amz-signature": "..."},
        "file_field": "file",
        "max_bytes": 10485760,
        "expires_in": 600,
    },
    errors=(
        error_example(403, "forbidden", "Only the job's SME may attach this kind of photo."),
        error_example(404, "not_found", "No such job."),
    ),
)

photo_confirm = operation(
    "Confirm an uploaded photo",
    "For whoever got the upload. The service checks what arrived by its bytes (JPEG, PNG, "
    "WebP or HEIC; at most 10 MB and 40 megapixels), re-encodes it as JPEG without its metadata (EXIF "
    "and its GPS position are gone), makes a thumbnail, deletes the raw upload and records "
    "the photo (201). Confirming the same key again answers the same photo (200). A refused "
    "upload is deleted and nothing is recorded. Another company's upload key is a 404.",
    request={"upload_key": UPLOAD_KEY},
    response=PHOTO,
    errors=(
        error_example(400, "not_an_image", "The upload is not a JPEG, PNG, WebP or HEIC image."),
        error_example(400, "photo_too_large", "The photo is larger than 10 MB."),
        error_example(400, "image_too_large", "The image has more than 40,000,000 pixels."),
        error_example(400, "not_uploaded", "Nothing has been uploaded with this key yet."),
        EXPIRED,
        NO_SUCH_UPLOAD,
    ),
)

photo_list = operation(
    "List a job's photos",
    "For the job's SME (every photo), a factory holding a share (its own share's photos and "
    "the job's own) and platform admins; anyone else gets a 404. Each photo's `url` and "
    "`thumbnail_url` need no token and stop working at `expires_at` (minutes): list again "
    "for fresh ones.",
    response=PHOTO,
)

photo_upload_receive = operation(
    "Upload a photo to the service's own storage",
    "Only on the filesystem storage, at the URL POST /jobs/{id}/photos/uploads gave: a "
    "multipart form with the file in the field `file`. The signed URL is the credential (no "
    "token), for one key, until it expires. 204 when stored.",
    errors=(
        EXPIRED,
        error_example(400, "photo_too_large", "The photo is larger than 10 MB."),
        NO_SUCH_UPLOAD,
    ),
)

photo_file = operation(
    "Read a photo from the service's own storage",
    "Only on the filesystem storage, at a URL a photo listing gave (`url`, `thumbnail_url`): "
    "the JPEG, while the URL is good; afterwards a 404.",
)
