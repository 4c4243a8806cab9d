"""Rate limits on Redis (.ci/run): counted once for every web process and machine, not in each
process's memory, where four gunicorn workers would each allow the limit."""

import pytest
import redis
from django.conf import settings
from django.urls import reverse

from ..factories import PupilFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_the_pupil_search_limit_is_counted_in_redis(client, world, monkeypatch):
    from accounts import views

    assert settings.REDIS_URL, "integration tests need REDIS_URL"
    monkeypatch.setattr(views, "PUPIL_SEARCHES_PER_MINUTE", 2)
    PupilFactory(school=world.school, first_name="Rosa", last_name="Found")
    client.force_login(world.staff)
    url = reverse("pupil_matches", args=[world.school.pk])
    assert [client.get(url, {"q": "rosa"}).status_code for _ in range(3)] == [200, 200, 429]
    # What another process reads: the count is in Redis, under the cache's prefix.
    counted = redis.Redis.from_url(settings.REDIS_URL).keys("ypsi-cache:*")
    assert counted, "the limit was counted in this process's memory only"
