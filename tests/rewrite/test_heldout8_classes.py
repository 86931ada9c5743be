"""Found by the first `rewrite --apply` on held-out 8 of the real-code corpus (docs/VALIDATION.md, "Rewriter on
held-out 8"): two files whose second run still printed a diff. Before/after tests on our own code:

- two functions that each build their own `params = {'authtoken': ...}` for the same URL: the first call took both
  credentials as its own (a tainted name carried the sites of every definition of that name in the file), so the
  second call got no header, the audit left its request as it was, and only a second run migrated it. A use now
  carries the sites of the name's definitions shortly before it only.
- a 32-hex value whose definition says nothing of Zoho is left with a note ("if it is a Zoho authtoken, revoke
  it ..."); the second run read that note as a use of the name that says Zoho and moved the value out.
"""

from __future__ import annotations

from tests.rewrite.support import rewrite_one

TWO_REQUESTS = '''import requests


def add_entry(data):
    params = {
        'authtoken': config.get('Zoho', 'api_key'),
        'organization_id': config.get('Zoho', 'org_id'),
    }
    req = requests.post('https://invoice.zoho.eu/api/v3/projects/timeentries', params=params, data=data)
    return req.ok


def list_entries(start):
    params = {
        'authtoken': config.get('Zoho', 'api_key'),
        'organization_id': config.get('Zoho', 'org_id'),
        'from_date': start,
    }
    req = requests.get('https://invoice.zoho.eu/api/v3/projects/timeentries', params=params)
    return req.json()['time_entries']
'''


def test_two_functions_with_their_own_params_are_two_requests_both_migrated_in_one_run(ruleset) -> None:
    first = rewrite_one(ruleset, "python", TWO_REQUESTS, "sync.py", None, annotate=True).text
    assert first.count('headers={"Authorization": zoho_auth.authorization()}') == 2
    assert "'authtoken'" not in first and "not migrated" not in first
    assert rewrite_one(ruleset, "python", first, "sync.py", None, annotate=True).text == first


UNNAMED_SECRET = """<?php
/*
 * Log in to https://subscriptions.zoho.com and follow the given url to get the $authorizationCode
 */
$subscriptionUrl = "https://subscriptions.zoho.com/api/v1";
$authorizationCode = "5a09c3b1d2e4f60718293a4b5c6d7e8f";
$organizationId = "633525707";
"""


def test_a_secret_left_for_want_of_zoho_context_stays_left_on_the_second_run(ruleset) -> None:
    first = rewrite_one(ruleset, "php", UNNAMED_SECRET, "config.php", None, annotate=True).text
    assert '$authorizationCode = "5a09c3b1d2e4f60718293a4b5c6d7e8f";' in first
    assert "nothing on its definition says Zoho" in first
    assert rewrite_one(ruleset, "php", first, "config.php", None, annotate=True).text == first
