"""Evidence files: accepted by what they contain, not by their name; stored via Django's storage.

Accepted: JPEG, PNG, PDF, and Word (.docx) and Excel (.xlsx) documents (a zip whose
[Content_Types].xml declares the main part). The size is checked before anything is read.
Files are written through the default storage (FileSystemStorage under MEDIA_ROOT unless
configured otherwise) and served only by `views.evidence`, which checks who asks: there is no
public MEDIA_URL.
"""

import hashlib
import io
import secrets
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
IMAGE_KINDS = {"jpg", "png"}
_OFFICE_MAIN = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
# Larger pictures are refused before they are decoded (a small file can declare a huge image).
MAX_PIXELS = 40_000_000
THUMBNAIL_SIZE = (320, 320)
_PIL_FORMATS = {"jpg": "JPEG", "png": "PNG"}
# [Content_Types].xml is a short list; a bigger one is not an Office document we accept.
_CONTENT_TYPES_MAX = 64 * 1024


def _office_kind(upload: UploadedFile) -> str | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX:
                return None
            declared = archive.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError, EOFError):
        return None
    for kind, main in _OFFICE_MAIN.items():
        if main in declared:
            return kind
    return None


def detect_kind(upload: UploadedFile) -> str | None:
    """The file's type from its first bytes (and, for a zip, its declared main part)."""
    upload.seek(0)
    head = upload.read(8)
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head == b"\x89PNG\r\n\x1a\n":
        return "png"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(upload)
    return None


def check(upload: UploadedFile) -> str:
    """The accepted file's kind, or ValidationError with a message for the user."""
    if upload.size is None or upload.size > MAX_BYTES:
        raise ValidationError(
            _("文件“%(name)s”超过 %(limit)s MB,未接收。")
            % {"name": upload.name, "limit": MAX_BYTES // (1024 * 1024)}
        )
    if upload.size == 0:
        raise ValidationError(_("文件“%(name)s”是空文件,未接收。") % {"name": upload.name})
    kind = detect_kind(upload)
    if kind is None:
        raise ValidationError(
            _("文件“%(name)s”的内容不是 JPEG、PNG、PDF、Word(docx)或 Excel(xlsx),未接收。")
            % {"name": upload.name}
        )
    if kind in IMAGE_KINDS:
        _check_image(upload, kind)
    upload.seek(0)
    return kind


def _check_image(upload: UploadedFile, kind: str) -> None:
    """A picture must decode as the kind its first bytes say, within MAX_PIXELS."""
    unreadable = ValidationError(_("图片“%(name)s”已损坏或无法读取,未接收。") % {"name": upload.name})
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format != _PIL_FORMATS[kind]:
                raise unreadable
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    _("图片“%(name)s”的像素过多(%(width)s×%(height)s),未接收。")
                    % {"name": upload.name, "width": width, "height": height}
                )
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise unreadable from None


def thumbnail(upload: UploadedFile) -> bytes:
    """A JPEG of at most THUMBNAIL_SIZE of an accepted picture, turned upright."""
    upload.seek(0)
    with Image.open(upload) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "JPEG", quality=80)
    upload.seek(0)
    return buffer.getvalue()


def digest(upload: UploadedFile) -> str:
    sha = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


def new_token() -> str:
    return secrets.token_hex(16)


def clean_name(name: str) -> str:
    """The uploader's file name as data: no path, no control characters, at most 200 characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "file"
    return name[-200:]
