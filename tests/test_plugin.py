"""The pytest plugin (entry point ``pytest11``), exercised by a small example suite under pytester."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

EXAMPLE_SUITE = '''
import json

import pytest
from alibabacloud_vod20170321.models import SubmitDynamicImageJobRequest
from aliyunsdkvod.request.v20170321.SubmitDynamicImageJobRequest import SubmitDynamicImageJobRequest as LegacySubmit
from Tea.exceptions import TeaException

ALICE_VIDEO = "a11ce000000000000000000000000001"
GIF = "a11ced1a000000000000000000000001"


def submit(vod_emulator, video=ALICE_VIDEO, template=GIF):
    request = SubmitDynamicImageJobRequest(video_id=video, dynamic_image_template_id=template)
    return vod_emulator.tea_client().submit_dynamic_image_job(request).body.dynamic_image_job.job_id


def test_tea_and_legacy_clients(vod_emulator):
    assert vod_emulator.endpoint.startswith("127.0.0.1:")
    assert vod_emulator.access_key_id == "LTAI5tVodEmulatorAlice01"
    job_id = submit(vod_emulator)
    legacy = LegacySubmit()
    legacy.set_VideoId(ALICE_VIDEO)
    legacy.set_DynamicImageTemplateId(GIF)
    body = json.loads(vod_emulator.legacy_client().do_action_with_exception(legacy))
    assert body["DynamicImageJob"]["JobId"] != job_id
    v1 = vod_emulator.tea_client(signature_algorithm="v2")
    request = SubmitDynamicImageJobRequest(video_id=ALICE_VIDEO, dynamic_image_template_id=GIF)
    assert v1.submit_dynamic_image_job(request).status_code == 200
    assert [e["action"] for e in vod_emulator.journal()] == ["SubmitDynamicImageJob"] * 3


def test_state_is_reset_between_tests(vod_emulator):
    assert vod_emulator.journal() == []
    assert vod_emulator.faults() == []


def test_helpers_add_videos_and_templates(vod_emulator):
    video = vod_emulator.add_video(status="Uploading", duration=12)
    template = vod_emulator.add_template({"Container": {"Format": "webp"}}, name="webp")
    with pytest.raises(TeaException) as illegal:
        submit(vod_emulator, video, template)
    assert illegal.value.code == "Forbidden.IllegalStatus"
    vod_emulator.set_video_status(video, "Normal")
    assert submit(vod_emulator, video, template)
    assert vod_emulator.journal(video_id=video, code="OK")[0]["video_id"] == video


def test_faults(vod_emulator):
    vod_emulator.inject_fault("SubmitDynamicImageJob", code="ServiceUnavailable", times=1)
    with pytest.raises(TeaException) as failed:
        submit(vod_emulator)
    assert (failed.value.code, failed.value.status_code) == ("ServiceUnavailable", 503)
    assert submit(vod_emulator)
    assert vod_emulator.faults()[0]["remaining"] == 0


def test_new_accounts(vod_emulator):
    carol = vod_emulator.add_account("carol")
    video = vod_emulator.add_video(account_id=carol.account_id)
    template = vod_emulator.add_template(account_id=carol.account_id)
    client = vod_emulator.tea_client(carol)
    request = SubmitDynamicImageJobRequest(video_id=video, dynamic_image_template_id=template)
    assert client.submit_dynamic_image_job(request).body.dynamic_image_job.job_id
    assert vod_emulator.journal(account_id=carol.account_id)[0]["access_key_id"] == carol.access_key_id


@pytest.mark.vod_emulator(job_mode="manual")
def test_manual_jobs_are_completed_by_the_test(vod_emulator):
    assert vod_emulator.settings.job_mode == "manual"
    done, failed = submit(vod_emulator), submit(vod_emulator)
    assert {j["job_id"] for j in vod_emulator.jobs(status="Processing")} == {done, failed}
    assert vod_emulator.fail_job(failed, code="InvalidParameter", message="no")["status"] == "Fail"
    assert vod_emulator.complete_job(done)["status"] == "Success"
    third = submit(vod_emulator)
    assert [j["job_id"] for j in vod_emulator.complete_all_jobs()] == [third]
    assert vod_emulator.jobs(status="Processing") == []
    assert vod_emulator.callback_deliveries() == []


@pytest.mark.vod_emulator(scenario="every-status", seed=5)
def test_scenario_and_seed_by_marker(vod_emulator):
    normal = "Normal".encode().hex().ljust(32, "0")
    first = submit(vod_emulator, normal)
    vod_emulator.reset()
    vod_emulator.load_scenario("every-status")
    assert submit(vod_emulator, normal) == first
'''


@pytest.fixture
def example_suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_example=EXAMPLE_SUITE)
    return pytester


def test_the_plugin_runs_an_example_suite(example_suite: pytest.Pytester) -> None:
    result = example_suite.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=7)


def test_the_plugin_is_registered_and_configurable(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nvod_emulator_fixtures = empty\nvod_emulator_seed = 3\n")
    pytester.makepyfile(
        test_config="""
def test_empty_fixtures(vod_emulator):
    assert vod_emulator.accounts() == []
    assert vod_emulator.control("GET", "seed") == {"seed": 3}
    carol = vod_emulator.add_account("carol")
    assert vod_emulator.access_key_id == carol.access_key_id
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q", "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.vod_emulator(*"])
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=1)


def test_importing_the_plugin_is_cheap() -> None:
    import subprocess
    import sys

    heavy = "('emulator.', 'fastapi', 'sqlmodel', 'uvicorn', 'aliyunsdkcore', 'alibabacloud')"
    code = f"import sys, emulator.pytest_plugin; print(sorted(m for m in sys.modules if m.startswith({heavy})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['emulator.pytest_plugin']"
