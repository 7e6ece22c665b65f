"""The OpenAPI schema documents every operation completely: input and output shapes, examples,
auth, and every error it can answer. Checked on the generated schema, operation by operation,
and against what the API really answers (a sweep of every operation as three kinds of caller).
"""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from accounts.tests.factories import UserFactory
from conftest import bearer_client

ERROR_OUTPUT = "#/components/schemas/ErrorOutput"
PUBLIC, OPTIONAL, REQUIRED = "public", "optional", "required"


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def offenders(schema: dict, problem) -> list[str]:
    """`operationId: what is wrong` for every operation where `problem(...)` says something."""
    found = []
    for path, method, operation in operations(schema):
        for message in problem(path, method, operation) or ():
            found.append(f"{operation['operationId']} ({method.upper()} {path}): {message}")
    return found


def auth_of(operation: dict) -> str:
    security = operation["security"]
    if not security:
        return PUBLIC
    return OPTIONAL if {} in security else REQUIRED


def schema_of(answer: dict) -> dict | None:
    return answer.get("content", {}).get("application/json", {}).get("schema")


def api_routes(resolver=None, prefix: str = "") -> list[str]:
    """Every URL pattern under /api/v1/, written the way OpenAPI writes paths."""
    routes = []
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += api_routes(pattern, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
            routes.append("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
    return routes


# --- The schema as a document -------------------------------------------------------------------


def test_the_schema_is_valid_openapi(schema):
    validate_schema(schema)


def test_every_api_url_is_in_the_schema_and_nothing_else(schema):
    assert sorted(schema["paths"]) == sorted(api_routes())


def test_operation_ids_are_unique_and_every_operation_has_a_tag(schema):
    ids = [operation["operationId"] for _, _, operation in operations(schema)]
    assert len(ids) == len(set(ids))
    assert offenders(schema, lambda path, method, op: [] if op.get("tags") else ["no tag"]) == []


def test_every_operation_says_how_it_is_authenticated(schema):
    schemes = set(schema["components"]["securitySchemes"])

    def problem(path, method, operation):
        if "security" not in operation:
            yield "no `security` (`[]` for a public operation)"
            return
        named = {name for requirement in operation["security"] for name in requirement}
        if not named <= schemes:
            yield f"unknown security schemes {sorted(named - schemes)}"

    assert offenders(schema, problem) == []


def test_every_request_body_is_json_with_a_schema_and_an_example(schema):
    def problem(path, method, operation):
        body = operation.get("requestBody")
        if body is None:
            return
        if set(body["content"]) != {"application/json"}:
            yield f"request media types {sorted(body['content'])}, not JSON only"
        media = body["content"].get("application/json", {})
        if "$ref" not in media.get("schema", {}):
            yield "request body without a named schema"
        if not media.get("examples"):
            yield "request body without an example"

    assert offenders(schema, problem) == []


def test_every_success_answer_has_a_schema(schema):
    def problem(path, method, operation):
        successes = [code for code in operation["responses"] if code.startswith("2")]
        if len(successes) != 1:
            yield f"success answers {successes}, not exactly one"
        for code in successes:
            if code != "204" and not schema_of(operation["responses"][code]):
                yield f"{code} without a schema"

    assert offenders(schema, problem) == []


def test_every_error_answer_has_its_shape_an_example_and_a_description(schema):
    def problem(path, method, operation):
        for code, answer in operation["responses"].items():
            if code[0] not in "45":
                continue
            shape = schema_of(answer) or {}
            if code == "400":
                if shape.get("type") != "object":
                    yield "400 is not the `{field: [messages]}` object"
            elif shape.get("$ref") != ERROR_OUTPUT:
                yield f"{code} is not ErrorOutput `{{detail, code}}`"
            if not answer.get("description"):
                yield f"{code} without a description"
            if not answer.get("content", {}).get("application/json", {}).get("examples"):
                yield f"{code} without an example"

    assert offenders(schema, problem) == []


def test_errors_every_operation_can_answer_are_documented(schema):
    """503 anywhere (database outage, maintenance); 401 wherever credentials are read; 404
    wherever an id is taken or a page is chosen; 400, 413 and 415 wherever a body is read."""

    def problem(path, method, operation):
        wanted = {"503"}
        if auth_of(operation) != PUBLIC:
            wanted.add("401")
        parameters = {parameter["name"] for parameter in operation.get("parameters", [])}
        if "{" in path or "page" in parameters:
            wanted.add("404")
        if "requestBody" in operation:
            wanted |= {"400", "413", "415"}
        missing = wanted - set(operation["responses"])
        if missing:
            yield f"does not document {sorted(missing)}"

    assert offenders(schema, problem) == []


def test_429_and_503_say_when_to_come_back(schema):
    def problem(path, method, operation):
        for code in ("429", "503"):
            answer = operation["responses"].get(code)
            if answer is not None and "Retry-After" not in answer.get("headers", {}):
                yield f"{code} without the Retry-After header"

    assert offenders(schema, problem) == []


def test_lists_document_their_paging(schema):
    def problem(path, method, operation):
        shape = schema_of(operation["responses"].get("200", {})) or {}
        name = shape.get("$ref", "").rsplit("/", 1)[-1]
        if not name.startswith("Paginated"):
            return
        properties = schema["components"]["schemas"][name]["properties"]
        if set(properties) != {"count", "next", "previous", "results"}:
            yield f"{name} is not {{count, next, previous, results}}"
        parameters = {parameter["name"] for parameter in operation.get("parameters", [])}
        if not {"page", "page_size"} <= parameters:
            yield "no `page` and `page_size` parameters"

    assert offenders(schema, problem) == []


# --- The schema against what the API answers ----------------------------------------------------


def call(client, method: str, path: str, operation: dict):
    """Call an operation with made-up ids and an empty JSON body where it takes one."""
    url = re.sub(r"\{\w+\}", lambda _: str(uuid.uuid4()), path)
    if "requestBody" in operation:
        return getattr(client, method)(url, {}, format="json")
    return getattr(client, method)(url)


def sweep(schema: dict, client) -> dict[str, int]:
    """operationId -> the status code it answered `client` with."""
    return {
        operation["operationId"]: call(client, method, path, operation).status_code
        for path, method, operation in operations(schema)
    }


def undocumented(schema: dict, answered: dict[str, int]) -> list[str]:
    documented = {
        operation["operationId"]: set(operation["responses"])
        for _, _, operation in operations(schema)
    }
    return [
        f"{operation_id}: answered {status}, documents {sorted(documented[operation_id])}"
        for operation_id, status in answered.items()
        if str(status) not in documented[operation_id]
    ]


@pytest.mark.django_db
def test_anonymous_callers_get_401_exactly_where_auth_is_required(schema, api_client):
    def problem(path, method, operation):
        refused = call(api_client, method, path, operation).status_code == 401
        if refused and auth_of(operation) != REQUIRED:
            yield f"401 for anonymous callers, but security says {auth_of(operation)}"
        if not refused and auth_of(operation) == REQUIRED:
            yield "security says required, yet an anonymous call was not refused"

    assert offenders(schema, problem) == []


@pytest.mark.django_db
@pytest.mark.parametrize("caller", ["anonymous", "unverified", "verified"])
def test_every_status_a_caller_gets_is_documented(schema, api_client, caller):
    client = (
        api_client
        if caller == "anonymous"
        else bearer_client(UserFactory(is_verified=caller == "verified"))
    )
    assert undocumented(schema, sweep(schema, client)) == []


# Limited per client: sign-up, sign-in, the two emails, and anonymous calculations.
RATE_LIMITED = {
    "auth_register",
    "auth_token_obtain",
    "auth_verify_email_resend",
    "auth_password_reset",
    "footprints_create",
    "footprints_quick_create",
}


@pytest.mark.django_db
@pytest.mark.parametrize("caller", ["anonymous", "verified"])
def test_rate_limited_operations_document_429(schema, api_client, settings, caller):
    """With every limit at zero, whatever answers 429 must say so in the schema."""
    from django.conf import settings as configured

    for name in dir(configured):
        value = getattr(configured, name, None)
        if name.startswith("RATELIMIT_") and isinstance(value, str) and "/" in value:
            setattr(settings, name, "0/m")
    client = api_client if caller == "anonymous" else bearer_client(UserFactory())
    answered = sweep(schema, client)
    assert undocumented(schema, answered) == []
    limited = {operation_id for operation_id, status in answered.items() if status == 429}
    signed_in_pass = {"footprints_create", "footprints_quick_create"}
    assert limited == (RATE_LIMITED if caller == "anonymous" else RATE_LIMITED - signed_in_pass)
