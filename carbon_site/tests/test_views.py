import pytest


@pytest.mark.django_db
def test_front_page_explains_the_product_and_uses_the_site_layout(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Know your carbon footprint" in html
    assert 'href="/static/css/site.css"' in html
    assert '<nav class="container nav" aria-label="Main">' in html
    assert "<footer" in html


@pytest.mark.django_db
def test_healthz_reports_the_database_with_its_latency(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["database"]["latency_ms"] >= 0
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_openapi_schema_is_served_as_openapi_3(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


@pytest.mark.django_db
def test_swagger_ui_is_served_from_our_own_static_files_not_a_cdn(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
