"""What an uploaded photo may be, judged by its bytes (Pillow), and the clean copies kept of
it: re-encoded as JPEG without its metadata (phones write GPS positions into EXIF) and a
thumbnail. Nothing here touches storage or the database."""

import io
import struct
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

from core.errors import InvalidInputError

# Pillow refuses (DecompressionBombError) an image of more than twice this many pixels as it
# opens it, and warns above it: the warning is an error here, so nothing larger is decoded.
Image.MAX_IMAGE_PIXELS = settings.PHOTO_MAX_PIXELS

# Formats taken, by what the bytes are: HEIC (an iPhone's own) through pillow-heif's plugin.
register_heif_opener()
FORMATS = {"JPEG", "PNG", "WEBP", "HEIF"}
JPEG_QUALITY = 85


@dataclass(frozen=True)
class CleanPhoto:
    source_format: str
    image: bytes
    width: int
    height: int
    thumbnail: bytes
    thumbnail_width: int
    thumbnail_height: int


def _refused(code: str, message) -> InvalidInputError:
    return InvalidInputError(message, code=code, fields={"upload_key": [message]})


def not_an_image() -> InvalidInputError:
    return _refused("not_an_image", _("The upload is not a JPEG, PNG, WebP or HEIC image."))


def too_many_pixels() -> InvalidInputError:
    return _refused(
        "image_too_large",
        _("The image has more than %(pixels)s pixels.") % {"pixels": f"{settings.PHOTO_MAX_PIXELS:,}"},
    )


def _flattened(image: Image.Image) -> Image.Image:
    """RGB, with any transparency laid on white (JPEG has none)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # A fresh image's info is empty: no EXIF, XMP, ICC or comment is written.
    image.info.clear()
    image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def clean_photo(data: bytes) -> CleanPhoto:
    """The photo re-encoded without metadata and its thumbnail, or a 400 saying why not."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                source_format = probe.format
                if source_format not in FORMATS:
                    raise not_an_image()
                if probe.width * probe.height > settings.PHOTO_MAX_PIXELS:
                    raise too_many_pixels()
                probe.verify()  # the structure, without decoding every pixel
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                ImageOps.exif_transpose(image, in_place=True)  # the orientation EXIF asked for, kept
                clean = _flattened(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error):
        raise not_an_image() from None
    thumbnail = clean.copy()
    side = settings.PHOTO_THUMBNAIL_PX
    thumbnail.thumbnail((side, side))
    return CleanPhoto(
        source_format=source_format,
        image=_jpeg(clean, JPEG_QUALITY),
        width=clean.width,
        height=clean.height,
        thumbnail=_jpeg(thumbnail, 80),
        thumbnail_width=thumbnail.width,
        thumbnail_height=thumbnail.height,
    )
