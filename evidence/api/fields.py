"""What each property of photo evidence means, for the OpenAPI schema: applied to every
component that has the property (``marketplace.docs.describe_properties``). A key is a
property's name, or ``Component.name`` where one component means something else by it."""

TIME = " (ISO 8601 with the offset, `+08:00`)"
FIELDS = {
    "Photo.job": "The job the photo is evidence for.",
    "Photo.assignment": "The share the photo is about (null: the job as a whole).",
    "Photo.kind": "What the photo shows: material received, delivery, inspection or dispute.",
    "UploadInputRequest.kind": "What the photo will show: `material_received` or `delivery` (the factory "
    "holding a share), `inspection` or `dispute` (the job's SME).",
    "Photo.width": "Width in pixels of the stored photo.",
    "Photo.height": "Height in pixels of the stored photo.",
    "Photo.size_bytes": "Size of the stored photo (re-encoded JPEG) in bytes.",
    "Photo.thumbnail_width": "Width in pixels of the thumbnail.",
    "Photo.thumbnail_height": "Height in pixels of the thumbnail.",
    "Photo.expires_at": "Until when `url` and `thumbnail_url` work" + TIME + "; list the photos again for new ones.",
    "ConfirmInputRequest.upload_key": "The `upload_key` the upload request handed out, once the file is uploaded.",
}
