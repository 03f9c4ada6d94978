"""Every signature vector of the spec (§3.2, §3.3, §3.4, §4.4, §4.5) as unit tests.

The emulator's decoder (:mod:`emulator.gateway.params`) and signers must reproduce each official
value, and the official SDK's signer must agree with them (so the vectors are not self-checked).
"""

from __future__ import annotations

import hashlib

import pytest
from alibabacloud_tea_openapi.utils import Utils

from emulator.gateway import signature_v1, signature_v3
from emulator.gateway.params import RequestParams
from tests.signing import _V3Request

# --- §3.2: the official documentation vector ----------------------------------------------------

DOC_PARAMS = {
    "AccessKeyId": "testAccessKeyId",
    "Action": "GetVideoPlayAuth",
    "Format": "JSON",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "8f8a035d-6496-4268-afd4-67c22837e38d",
    "SignatureVersion": "1.0",
    "Timestamp": "2017-10-10T12:02:54Z",
    "Version": "2017-03-21",
    "VideoId": "5aed81b74ba84920be578cdfe004af4b",
}
DOC_STRING_TO_SIGN = (
    "GET&%2F&AccessKeyId%3DtestAccessKeyId%26Action%3DGetVideoPlayAuth%26Format%3DJSON%26SignatureMethod%3D"
    "HMAC-SHA1%26SignatureNonce%3D8f8a035d-6496-4268-afd4-67c22837e38d%26SignatureVersion%3D1.0%26Timestamp%3D"
    "2017-10-10T12%253A02%253A54Z%26Version%3D2017-03-21%26VideoId%3D5aed81b74ba84920be578cdfe004af4b"
)


def test_doc_vector_string_to_sign_and_signature() -> None:
    assert signature_v1.string_to_sign("GET", DOC_PARAMS) == DOC_STRING_TO_SIGN
    assert signature_v1.sign("testAccessKeySecret", DOC_STRING_TO_SIGN) == "Ibgh7y8Vp47LBuAsf5Xhi1SvDss="
    assert Utils.get_rpcsignature(DOC_PARAMS, "GET", "testAccessKeySecret") == "Ibgh7y8Vp47LBuAsf5Xhi1SvDss="


def test_signature_param_itself_is_not_signed() -> None:
    with_signature = {**DOC_PARAMS, "Signature": "anything"}
    assert signature_v1.string_to_sign("GET", with_signature) == DOC_STRING_TO_SIGN


# --- §3.3: SubmitDynamicImageJob -----------------------------------------------------------------

SUBMIT_PARAMS = {
    "Action": "SubmitDynamicImageJob",
    "Format": "JSON",
    "Version": "2017-03-21",
    "Timestamp": "2024-01-01T00:00:00Z",
    "SignatureNonce": "0123456789abcdef0123456789abcdef",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureVersion": "1.0",
    "AccessKeyId": "testid",
    "VideoId": "93ab850b4f6f54b6e91d24d81d44a1b2",
    "DynamicImageTemplateId": "5ad4e2f1e4ec6ff6aa7cc9f2a0d4c3d4",
    "OverrideParams": '{"Watermarks":[{"WatermarkId":"w1","Content":"a b*~"}]}',
}
SUBMIT_STRING_TO_SIGN = (
    "POST&%2F&AccessKeyId%3Dtestid%26Action%3DSubmitDynamicImageJob%26DynamicImageTemplateId%3D"
    "5ad4e2f1e4ec6ff6aa7cc9f2a0d4c3d4%26Format%3DJSON%26OverrideParams%3D%257B%2522Watermarks%2522%253A%255B"
    "%257B%2522WatermarkId%2522%253A%2522w1%2522%252C%2522Content%2522%253A%2522a%2520b%252A~%2522%257D%255D"
    "%257D%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D0123456789abcdef0123456789abcdef%26"
    "SignatureVersion%3D1.0%26Timestamp%3D2024-01-01T00%253A00%253A00Z%26Version%3D2017-03-21%26VideoId%3D"
    "93ab850b4f6f54b6e91d24d81d44a1b2"
)


def test_submit_vector() -> None:
    assert signature_v1.string_to_sign("POST", SUBMIT_PARAMS) == SUBMIT_STRING_TO_SIGN
    assert signature_v1.sign("testsecret", SUBMIT_STRING_TO_SIGN) == "rjIs6b58lNaMHzJUTJND1pgu28s="
    assert Utils.get_rpcsignature(SUBMIT_PARAMS, "POST", "testsecret") == "rjIs6b58lNaMHzJUTJND1pgu28s="


def test_v1_string_to_sign_has_no_raw_colon() -> None:
    # §3.1/§6.6: Python legacy splits the SignatureDoesNotMatch message on ':'.
    assert ":" not in SUBMIT_STRING_TO_SIGN


# --- §3.4: raw wire requests from the official SDKs -----------------------------------------------

WIRE_V1 = [
    pytest.param(
        "POST",
        "VideoId=93ab850b4f6f54b6e91d24d81d44%2A%2A%2A%2A&DynamicImageTemplateId=5ad4e2f1e4ec6ff6aa7cc9f2a0d4"
        "%2A%2A%2A%2A&OverrideParams=%7B%22Watermarks%22%3A%5B%7B%22WatermarkId%22%3A%22abc%22%2C%22Content%22"
        "%3A%22hi%20%2A~%20%2B%22%7D%5D%7D&Version=2017-03-21&Action=SubmitDynamicImageJob&Format=JSON&RegionId="
        "cn-shanghai&Timestamp=2026-11-23T23%3A17%3A28Z&SignatureMethod=HMAC-SHA1&SignatureType=&SignatureVersion"
        "=1.0&SignatureNonce=4138d15774c5a804271e54a31068e81e&AccessKeyId=testak&Signature=oM3jI6Gz%2FDeSnXiA2Ij1"
        "BRkLTnw%3D",
        b"",
        None,
        "testsecret",
        "oM3jI6Gz/DeSnXiA2Ij1BRkLTnw=",
        id="python-legacy",
    ),
    pytest.param(
        "POST",
        "Action=SubmitDynamicImageJob&Format=json&Version=2017-03-21&Timestamp=2026-11-23T23%3A17%3A35Z&"
        "SignatureNonce=d09d82399617019638b33d222a9dcbb8&DynamicImageTemplateId=5ad4e2f1e4ec6ff6aa7cc9f2a0d4%2A%2A"
        "%2A%2A&OverrideParams=%7B%22Watermarks%22%3A%5B%7B%22WatermarkId%22%3A%22abc%22%2C%22Content%22%3A%22hi+"
        "%2A~+%2B%22%7D%5D%7D&VideoId=93ab850b4f6f54b6e91d24d81d44%2A%2A%2A%2A&SignatureMethod=HMAC-SHA1&"
        "SignatureVersion=1.0&AccessKeyId=testak&Signature=%2Ftds3k9K5mHXkJkkHRmAMp7SIOo%3D",
        b"",
        None,
        "testsecret",
        "/tds3k9K5mHXkJkkHRmAMp7SIOo=",
        id="python-tea-v1",
    ),
    pytest.param(
        "POST",
        "",
        b"AccessKeyId=testAccessKeyId&Action=SubmitDynamicImageJob&DynamicImageTemplateId=1a443dc52ef10abc4794d700"
        b"00000000&Format=JSON&OverrideParams=%7B%22Watermarks%22%3A%5B%7B%22Content%22%3A%22UserID%3A%20666%20~%2A"
        b"%27%28%29%21%22%2C%22WatermarkId%22%3A%228ca03c884944bd05efccc3123670000%22%7D%5D%7D&SignatureMethod="
        b"HMAC-SHA1&SignatureNonce=a0ac17b12b9723c21a6acd11892465cb&SignatureVersion=1.0&Timestamp=2026-11-23T23"
        b"%3A30%3A53Z&Version=2017-03-21&VideoId=7d2fbc3e273441bdb0e08e55f8000000&Signature=O6NHkmmX5JfkamG5slikJQ"
        b"EWhSw%3D",
        "application/x-www-form-urlencoded",
        "testAccessKeySecret",
        "O6NHkmmX5JfkamG5slikJQEWhSw=",
        id="node-pop-core-form-post",
    ),
    pytest.param(
        "POST",
        "Action=SubmitDynamicImageJob&Format=json&Version=2017-03-21&Timestamp=2026-11-23T23%3A31%3A06Z&"
        "SignatureNonce=93d8e3814c72ab5b1ff9235abbe76ff9ae3ff7244da94fffe7aa233d08c4bc64&VideoId=7d2fbc3e273441bd"
        "b0e08e55f8000000&DynamicImageTemplateId=1a443dc52ef10abc4794d70000000000&OverrideParams=%7B%22Watermarks"
        "%22%3A%5B%7B%22Content%22%3A%22UserID%3A%20666%20~*%27()!%22%2C%22WatermarkId%22%3A%228ca03c884944bd05ef"
        "ccc3123670000%22%7D%5D%7D&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&AccessKeyId=testAccessKeyId&"
        "Signature=Wlk5VWv5yzyVzKb4s7ojVQrCC0Y%3D",
        b"",
        None,
        "testAccessKeySecret",
        "Wlk5VWv5yzyVzKb4s7ojVQrCC0Y=",
        id="node-tea-v1",
    ),
]


@pytest.mark.parametrize(("method", "query", "body", "content_type", "secret", "expected"), WIRE_V1)
def test_v1_wire_vectors(
    method: str, query: str, body: bytes, content_type: str | None, secret: str, expected: str
) -> None:
    params = RequestParams.parse(query.encode(), body, content_type)
    assert params.get("Signature") == expected
    string = signature_v1.string_to_sign(method, params.values)
    assert signature_v1.sign(secret, string) == expected
    assert signature_v1.matches(signature_v1.sign(secret, string), params.get("Signature") or "")
    unsigned = {k: v for k, v in params.values.items() if k != "Signature"}
    assert Utils.get_rpcsignature(unsigned, method, secret) == expected


def test_wire_vectors_decode_plus_and_percent20_alike() -> None:
    legacy = RequestParams.parse(WIRE_V1[0].values[1].encode(), b"", None)
    tea = RequestParams.parse(WIRE_V1[1].values[1].encode(), b"", None)
    assert legacy.get("OverrideParams") == tea.get("OverrideParams")
    assert legacy.get("OverrideParams") == '{"Watermarks":[{"WatermarkId":"abc","Content":"hi *~ +"}]}'
    assert legacy.get("SignatureType") == ""  # empty values are kept (and signed)


def test_node_vectors_decode_unescaped_specials() -> None:
    pop_core = RequestParams.parse(b"", WIRE_V1[2].values[2], "application/x-www-form-urlencoded")
    node_tea = RequestParams.parse(WIRE_V1[3].values[1].encode(), b"", None)
    expected = '{"Watermarks":[{"Content":"UserID: 666 ~*\'()!","WatermarkId":"8ca03c884944bd05efccc3123670000"}]}'
    assert pop_core.get("OverrideParams") == node_tea.get("OverrideParams") == expected
    assert pop_core.query == {}  # the form body is not part of the query (V3 canonical query)


# --- §4.4: V3 ------------------------------------------------------------------------------------

V3_HEADERS = {
    "host": "vod.cn-shanghai.aliyuncs.com",
    "x-acs-action": "SubmitDynamicImageJob",
    "x-acs-version": "2017-03-21",
    "x-acs-date": "2024-01-01T00:00:00Z",
    "x-acs-signature-nonce": "0123456789abcdef0123456789abcdef",
    "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
}
V3_QUERY = {"VideoId": "93ab850b4f6f54b6e91d24d81d44a1b2", "DynamicImageTemplateId": "5ad4e2f1e4ec6ff6aa7cc9f2a0d4c3d4"}
V3_CANONICAL = (
    "POST\n/\nDynamicImageTemplateId=5ad4e2f1e4ec6ff6aa7cc9f2a0d4c3d4&VideoId=93ab850b4f6f54b6e91d24d81d44a1b2\n"
    "host:vod.cn-shanghai.aliyuncs.com\nx-acs-action:SubmitDynamicImageJob\n"
    "x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
    "x-acs-date:2024-01-01T00:00:00Z\nx-acs-signature-nonce:0123456789abcdef0123456789abcdef\n"
    "x-acs-version:2017-03-21\n\n"
    "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)
V3_AUTHORIZATION = (
    "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;"
    "x-acs-signature-nonce;x-acs-version,Signature=e7a864f8175c97cf45a30148b14ab70ba0d10cd48b3686c5c651034d7c61b6dc"
)


def test_v3_vector() -> None:
    assert V3_HEADERS["x-acs-content-sha256"] == signature_v3.EMPTY_SHA256
    auth = signature_v3.parse_authorization(V3_AUTHORIZATION)
    assert auth is not None and auth.access_key_id == "testid"
    assert auth.algorithm == signature_v3.ALGORITHM
    headers = {k: [v] for k, v in V3_HEADERS.items()}
    canonical = signature_v3.canonical_request(
        "POST", V3_QUERY, headers, auth.signed_headers, V3_HEADERS["x-acs-content-sha256"]
    )
    assert canonical == V3_CANONICAL
    string = signature_v3.string_to_sign(canonical)
    assert string == "ACS3-HMAC-SHA256\nead4ceff569f947fa2248b36e2927bb08dd29535a6d428c221ab8da480c901b1"
    assert signature_v3.sign("testsecret", string) == auth.signature
    official = Utils.get_authorization(
        _V3Request("POST", "/", V3_QUERY, dict(V3_HEADERS)),
        "ACS3-HMAC-SHA256",
        V3_HEADERS["x-acs-content-sha256"],
        "testid",
        "testsecret",
    )
    assert official == V3_AUTHORIZATION


# --- §4.5: raw V3 requests from the official SDKs -------------------------------------------------

CANONICAL_QUERY_45 = (
    "DynamicImageTemplateId=1a443dc52ef10abc4794d70000000000&OverrideParams=%7B%22Watermarks%22%3A%5B%7B%22Content"
    "%22%3A%22UserID%3A%20666%20~%2A%27%28%29%21%22%2C%22WatermarkId%22%3A%228ca03c884944bd05efccc3123670000%22%7D"
    "%5D%7D&VideoId=7d2fbc3e273441bdb0e08e55f8000000"
)
COMMON_45 = {
    "host": "127.0.0.1:46013",
    "x-acs-version": "2017-03-21",
    "x-acs-action": "SubmitDynamicImageJob",
    "accept": "application/json",
    "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "x-acs-credentials-provider": "static_ak",
}
WIRE_V3 = [
    pytest.param(
        "DynamicImageTemplateId=1a443dc52ef10abc4794d70000000000&OverrideParams=%7B%22Watermarks%22%3A%5B%7B%22"
        "Content%22%3A%22UserID%3A+666+~%2A%27%28%29%21%22%2C%22WatermarkId%22%3A%228ca03c884944bd05efccc3123670000"
        "%22%7D%5D%7D&VideoId=7d2fbc3e273441bdb0e08e55f8000000",
        {
            **COMMON_45,
            "user-agent": "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2",
            "x-acs-date": "2026-11-23T23:30:11Z",
            "x-acs-signature-nonce": "3ec01d7089f99c397c1b56a5b45e45a2",
            "authorization": "ACS3-HMAC-SHA256 Credential=testAccessKeyId,SignedHeaders=accept;host;user-agent;"
            "x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;"
            "x-acs-version,Signature=33d22a421a590b1f861e0954c05a8aa9c6472e9f95d964c054f4254ed765976c",
        },
        "280e5ccdd82f646688321cd9ec1b53e2e78313aaab15656570dbfefa51546748",
        id="python-tea-v3",
    ),
    pytest.param(
        "VideoId=7d2fbc3e273441bdb0e08e55f8000000&DynamicImageTemplateId=1a443dc52ef10abc4794d70000000000&"
        "OverrideParams=%7B%22Watermarks%22%3A%5B%7B%22Content%22%3A%22UserID%3A%20666%20~*%27()!%22%2C%22"
        "WatermarkId%22%3A%228ca03c884944bd05efccc3123670000%22%7D%5D%7D",
        {
            **COMMON_45,
            "user-agent": "AlibabaCloud (linux; x64) Node.js/v20.20.2 Core/1.0.1 TeaDSL/2",
            "x-acs-date": "2026-11-23T23:30:58Z",
            "x-acs-signature-nonce": "26ae28d773bd49dcf44126cc1751de180557aa6a9416a1bd187fb836b3ab78c6",
            "authorization": "ACS3-HMAC-SHA256 Credential=testAccessKeyId,SignedHeaders=host;x-acs-action;"
            "x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;x-acs-version,"
            "Signature=2fe131306ca0efe227d3ceb3b29318b56c4678312ba888803090f1b66f0a42d9",
        },
        "dbcee1577c934775997354c4a06ee52075f79fee7de196fef0e706ed43c92e86",
        id="node-tea-v3",
    ),
]


@pytest.mark.parametrize(("query", "headers", "canonical_hash"), WIRE_V3)
def test_v3_wire_vectors(query: str, headers: dict[str, str], canonical_hash: str) -> None:
    params = RequestParams.parse(query.encode(), b"", None)
    assert signature_v3.canonical_query(params.query) == CANONICAL_QUERY_45
    auth = signature_v3.parse_authorization(headers["authorization"])
    assert auth is not None
    assert set(auth.signed_headers) >= signature_v3.REQUIRED_SIGNED_HEADERS
    received = {k: [v] for k, v in headers.items()}
    canonical = signature_v3.canonical_request(
        "POST", params.query, received, auth.signed_headers, headers["x-acs-content-sha256"]
    )
    assert hashlib.sha256(canonical.encode()).hexdigest() == canonical_hash
    assert signature_v3.sign("testAccessKeySecret", signature_v3.string_to_sign(canonical)) == auth.signature


def test_v3_repeated_headers_are_sorted_and_joined() -> None:
    headers = {**{k: [v] for k, v in V3_HEADERS.items()}, "x-acs-extra": ["b", "a"]}
    canonical = signature_v3.canonical_request("POST", {}, headers, ["x-acs-extra", "host"], "h")
    assert "x-acs-extra:a,b\n" in canonical


@pytest.mark.parametrize(
    "value",
    [
        "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host",  # no Signature
        "ACS3-HMAC-SHA256 SignedHeaders=host,Signature=abc",  # no Credential
        "ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=abc",  # empty Credential
        "ACS3-HMAC-SHA256",
    ],
)
def test_malformed_authorization_is_rejected_by_the_parser(value: str) -> None:
    assert signature_v3.parse_authorization(value) is None
