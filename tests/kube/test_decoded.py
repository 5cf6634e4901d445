"""Pods as Go decodes them: what the Pod Security checks judge."""

from __future__ import annotations

from typing import Any

from kinspect.kube.decoded import decoded


def test_nulls_are_unset_fields_and_zero_items() -> None:
    pod: dict[str, Any] = {
        "metadata": {"name": None, "annotations": {"a": None, "b": "x"}},
        "spec": {
            "hostNetwork": None,
            "containers": [
                None,
                {
                    "name": "app",
                    "securityContext": {"privileged": None, "capabilities": {"add": [None]}},
                    "ports": [None, {"hostPort": None}],
                },
            ],
            "volumes": [None, {"name": "v", "emptyDir": None}],
            "securityContext": {"sysctls": [None]},
            "nodeName": "n",
        },
    }
    assert decoded(pod) == {
        "metadata": {"annotations": {"a": "", "b": "x"}},
        "spec": {
            "containers": [
                {},
                {
                    "name": "app",
                    "securityContext": {"capabilities": {"add": [""]}},
                    "ports": [{}, {}],
                },
            ],
            "volumes": [{}, {"name": "v"}],
            "securityContext": {"sysctls": [{}]},
            "nodeName": "n",
        },
    }
    # The document itself is left as it was.
    assert pod["spec"]["containers"][0] is None


def test_a_pod_without_nulls_is_the_same_object() -> None:
    pod = {"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80}]}]}}
    assert decoded(pod) is pod
