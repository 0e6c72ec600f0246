"""Evidence files: judged by content, limited in size, served only to those who may see the item."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from supervision import evidence
from supervision.models import Evidence, ItemEvent
from targets.tests.world import db_fingerprint

from .conftest import png_bytes
from .test_loop import FEEDBACK, assign_data, client_for, post

pytestmark = pytest.mark.django_db
A = ItemEvent.Action


def office_zip(main: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b'<Types><Override ContentType="' + main + b'"/></Types>')
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (png_bytes(), "png"),
        (b"\xff\xd8\xff\xe0rest", "jpg"),
        (b"%PDF-1.7 rest", "pdf"),
        (office_zip(evidence._OFFICE_MAIN["docx"]), "docx"),
        (office_zip(evidence._OFFICE_MAIN["xlsx"]), "xlsx"),
        (office_zip(b"application/zip"), None),
        (b"PK\x03\x04 not a zip", None),
        (b"just text", None),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
    ],
)
def test_kind_is_read_from_the_content(content, kind):
    assert evidence.detect_kind(SimpleUploadedFile("x.png", content)) == kind


@pytest.fixture
def acknowledged(item, people):
    post(client_for(people["reviewer"]), item, A.ASSIGN, assign_data())
    post(client_for(people["rep_a"]), item, A.ACKNOWLEDGE)
    return item


def _feedback(item, client, upload):
    return post(client, item, A.FEEDBACK, FEEDBACK | {"self_assessment": "on_track"}, [upload])


def test_a_text_file_named_png_is_refused(acknowledged, people, settings):
    client = client_for(people["rep_a"])
    before = db_fingerprint()
    response = _feedback(acknowledged, client, SimpleUploadedFile("照片.png", b"hello, not an image"))
    assert response.status_code == 409
    assert (
        "文件“照片.png”的内容不是 JPEG、PNG、PDF、Word(docx)或 Excel(xlsx),未接收。"
        in response.content.decode()
    )
    assert db_fingerprint() == before


def test_an_oversize_file_is_refused_before_it_is_read(acknowledged, people, monkeypatch, tmp_path, settings):
    monkeypatch.setattr(evidence, "MAX_BYTES", 1000)
    read = []
    monkeypatch.setattr(evidence, "detect_kind", lambda upload: read.append(upload) or "png")
    client = client_for(people["rep_a"])
    before = db_fingerprint()
    response = _feedback(acknowledged, client, SimpleUploadedFile("大图.png", png_bytes() + b"\0" * 1000))
    assert response.status_code == 409
    assert "文件“大图.png”超过 0 MB,未接收。" in response.content.decode()
    assert read == []
    assert db_fingerprint() == before
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.png"))


def test_a_request_bigger_than_all_files_may_be_is_refused_unread(acknowledged, people):
    client = client_for(people["rep_a"])
    url = reverse("supervision:item-step", args=[acknowledged.pk, A.FEEDBACK])
    before = db_fingerprint()
    response = client.post(url, {"version": "2"}, CONTENT_LENGTH=str(60 * 1024 * 1024))
    assert response.status_code == 413
    assert db_fingerprint() == before


def image_bytes(size, fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def test_a_png_header_with_anything_else_after_it_is_refused(acknowledged, people):
    client = client_for(people["rep_a"])
    before = db_fingerprint()
    fake = png_bytes()[:16] + b"not really an image"
    response = _feedback(acknowledged, client, SimpleUploadedFile("假图.png", fake))
    assert response.status_code == 409
    assert "图片“假图.png”已损坏或无法读取,未接收。" in response.content.decode()
    assert db_fingerprint() == before


def test_a_picture_with_too_many_pixels_is_refused_before_decoding(acknowledged, people, monkeypatch):
    monkeypatch.setattr(evidence, "MAX_PIXELS", 100 * 100)
    client = client_for(people["rep_a"])
    response = _feedback(acknowledged, client, SimpleUploadedFile("大.png", image_bytes((101, 100))))
    assert response.status_code == 409
    assert "图片“大.png”的像素过多(101×100),未接收。" in response.content.decode()
    assert Evidence.objects.count() == 0


def test_pictures_get_a_thumbnail_documents_do_not(acknowledged, people):
    client = client_for(people["rep_a"])
    photo = SimpleUploadedFile("现场.jpg", image_bytes((1280, 960), "JPEG"))
    pdf = SimpleUploadedFile("报告.pdf", b"%PDF-1.4\n%test\n")
    response = post(
        client, acknowledged, A.FEEDBACK, FEEDBACK | {"self_assessment": "on_track"}, [photo, pdf]
    )
    assert response.status_code == 302
    jpg, doc = Evidence.objects.order_by("id")
    assert (jpg.kind, doc.kind) == ("jpg", "pdf")
    assert doc.thumbnail.name == ""
    url = reverse("supervision:evidence-thumbnail", args=[jpg.pk])
    response = client.get(url)
    assert response["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as thumb:
        assert (thumb.format, thumb.size) == ("JPEG", (320, 240))
    assert client_for(people["rep_b"]).get(url).status_code == 404
    assert client.get(reverse("supervision:evidence-thumbnail", args=[doc.pk])).status_code == 404
    page = client.get(acknowledged.get_absolute_url()).content.decode()
    assert f'<img src="{url}" alt="现场.jpg"' in page


def test_evidence_is_served_only_to_those_who_see_the_item(acknowledged, people):
    assert (
        _feedback(
            acknowledged, client_for(people["rep_a"]), SimpleUploadedFile("现场.png", png_bytes())
        ).status_code
        == 302
    )
    record = Evidence.objects.get()
    url = reverse("supervision:evidence", args=[record.pk])
    for name in ("rep_a", "reviewer", "admin", "viewer"):
        response = client_for(people[name]).get(url)
        assert response.status_code == 200, name
        assert b"".join(response.streaming_content) == png_bytes()
        assert response["Content-Type"] == "image/png"
    assert client_for(people["rep_b"]).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    # No public URL: the storage path under MEDIA_ROOT is not served by the site.
    assert Client().get("/media/" + record.file.name).status_code in (302, 404)
    assert client_for(people["rep_a"]).get("/media/" + record.file.name).status_code == 404
