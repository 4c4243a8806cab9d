"""Issue 17 (3): junk in a query string is a plain page or a 404, never a server error.

Every URL of the permission matrix, as each role that may open it, with every parameter any page
reads set to junk: text, negative, huge, unicode, empty, a list.
"""

import pytest
from django.urls import reverse

from .test_permissions import MATRIX
from .test_permissions import case as case  # the fixture the matrix's URLs need

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.sweep]

PARAMETERS = ("school", "stage", "person", "overdue", "page", "start", "end", "format", "next")
JUNK = [
    "abc",
    "-1",
    "99999999999999999999",
    "Zoe\u0308\u2019s \U0001f642",
    "",
    "1e9",
    "%00",
    "2026-02-31",
]


@pytest.mark.parametrize("who", ["dsl", "headteacher", "staff", "trust_lead"])
def test_no_page_fails_on_junk_parameters(client, case, who):
    client.force_login(getattr(case, who))
    failures = []
    for name, args, allowed, _ in MATRIX:
        if who not in allowed:
            continue
        url = reverse(name, args=args(case))
        for junk in JUNK:
            response = client.get(url, {p: junk for p in PARAMETERS})
            if response.status_code >= 500:
                failures.append((name, junk, response.status_code))
        repeated = client.get(url + "?school=1&school=abc&stage=&stage=reported")
        if repeated.status_code >= 500:
            failures.append((name, "repeated", repeated.status_code))
    assert failures == []
