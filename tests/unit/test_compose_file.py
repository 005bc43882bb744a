"""docker-compose.yml, checked without a Docker engine: valid against the Compose
Specification schema (tests/data/compose_spec.json, see tests/data/README.md), and the
production stack's promises kept: no inline secrets, health checks where others wait on
them, a durable Redis, a one-shot migrate that the app waits for, exactly one beat."""

from __future__ import annotations

import copy
import json
import re
import shlex
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.settings import Settings

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
SCHEMA_FILE = REPO / "tests" / "data" / "compose_spec.json"

INFRA_SERVICES = ("elasticsearch", "postgres", "redis")
APP_SERVICES = ("migrate", "web", "worker", "beat")
WORKER_QUEUES = {"sync", "chat"}
SECRET_WORDS = ("PASSWORD", "TOKEN", "SECRET", "KEY")
# A value taken from the env file: ${VAR}, or ${VAR:?message} / ${VAR?message} that fails when
# unset. ${VAR:-default} is not: its default would be a secret written in the compose file.
ENV_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?\?[^}]*)?\}")
GO_DURATION = re.compile(r"^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$")


def load_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())  # resolves the x-app anchors and `<<:` merges


def load_schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text())


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def schema_errors(document: dict) -> list[str]:
    validator = jsonschema.Draft201909Validator(load_schema())
    found = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top level)'}: {e.message}" for e in found]


def command_tokens(service: dict) -> list[str]:
    command = service.get("command") or []
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def healthcheck_text(service: dict) -> str:
    test = (service.get("healthcheck") or {}).get("test") or []
    return test if isinstance(test, str) else " ".join(map(str, test))


def environment(service: dict) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) if "=" in item else (item, None) for item in env)
        return {key: value for key, value in pairs}
    return {key: None if value is None else str(value) for key, value in env.items()}


def depends_on(service: dict) -> dict[str, str]:
    targets = service.get("depends_on") or {}
    if isinstance(targets, list):
        return {name: "service_started" for name in targets}
    return {name: spec["condition"] for name, spec in targets.items()}


def env_files(service: dict) -> list[str]:
    files = service.get("env_file") or []
    return [files] if isinstance(files, str) else list(files)


def seconds(duration: str) -> float:
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
    return sum(float(n) * units[u] for n, _, u in re.findall(r"(\d+(\.\d+)?)(ns|us|µs|ms|s|m|h)", duration))


def celery_services(services: dict, role: str) -> dict[str, dict]:
    """Services running `celery ... <role>` (worker or beat)."""
    found = {}
    for name, service in services.items():
        tokens = command_tokens(service)
        if tokens[:1] == ["celery"] and role in tokens:
            found[name] = service
    return found


def celery_app(tokens: list[str]) -> str | None:
    for i, token in enumerate(tokens):
        if token in ("-A", "--app") and i + 1 < len(tokens):
            return tokens[i + 1]
        if token.startswith("--app="):
            return token.split("=", 1)[1]
    return None


# --- the schema --------------------------------------------------------------------------


def test_the_vendored_schema_is_draft_2019_09_and_itself_valid():
    # It declares "http://json-schema.org/draft/2019-09/schema#", a spelling that
    # jsonschema.validators.validator_for does not recognise (it would silently fall back to
    # the latest draft), so the tests name Draft201909Validator themselves.
    schema = load_schema()
    assert "/draft/2019-09/" in schema["$schema"], f"the schema now declares {schema['$schema']}: use that draft's validator"
    jsonschema.Draft201909Validator.check_schema(schema)


def test_docker_compose_yml_is_valid_against_the_compose_specification():
    errors = schema_errors(load_compose())
    assert not errors, "docker-compose.yml does not match the Compose Specification:\n" + "\n".join(errors)


@pytest.mark.parametrize(
    "break_it",
    [
        lambda c: c["services"]["web"].update(helthcheck={"test": ["CMD", "true"]}),
        lambda c: c["services"]["web"]["depends_on"]["migrate"].update(condition="service_completed"),
        lambda c: c["services"]["migrate"].update(restart=False),  # YAML's bare `no`
        lambda c: c.update(servics={}),
    ],
    ids=["misspelt key", "unknown depends_on condition", "restart: no unquoted", "misspelt top-level key"],
)
def test_the_schema_check_catches_a_broken_file(break_it):
    broken = copy.deepcopy(load_compose())
    break_it(broken)
    assert schema_errors(broken), "the schema accepted a broken compose file: the check is not working"


# --- the services and how they depend on each other ----------------------------------------


@pytest.mark.parametrize("name", INFRA_SERVICES + APP_SERVICES)
def test_every_service_of_the_stack_exists(services, name):
    assert name in services, f"docker-compose.yml has no `{name}` service"


def test_depends_on_targets_exist_and_waited_on_services_say_when_they_are_ready(services):
    problems = []
    for name, service in services.items():
        for target, condition in depends_on(service).items():
            if target not in services:
                problems.append(f"{name}: depends on `{target}`, which is not a service")
                continue
            check = services[target].get("healthcheck")
            if condition == "service_healthy" and (not check or check.get("disable")):
                problems.append(f"{name}: waits for `{target}` to be healthy, but `{target}` has no healthcheck")
            if condition == "service_completed_successfully" and services[target].get("restart", "no") != "no":
                problems.append(f"{name}: waits for `{target}` to complete, but `{target}` restarts (needs restart: \"no\")")
    assert not problems, "\n".join(problems)


def test_migrate_runs_once_and_the_app_waits_for_it_to_succeed(services):
    assert services["migrate"].get("restart") == "no", 'migrate: needs restart: "no" (a one-shot job, quoted: bare no is false)'
    assert command_tokens(services["migrate"]) == ["supportbot", "migrate"], "migrate: should run `supportbot migrate`"
    for name in ("web", "worker", "beat"):
        condition = depends_on(services[name]).get("migrate")
        assert condition == "service_completed_successfully", (
            f"{name}: must depend on migrate with condition service_completed_successfully (has {condition!r})"
        )


def test_web_serves_on_all_interfaces_and_is_healthy_only_when_ready(services):
    web = services["web"]
    tokens = command_tokens(web)
    assert tokens[:2] == ["supportbot", "serve"] and "0.0.0.0" in tokens, "web: should run `supportbot serve --host 0.0.0.0`"
    assert "/readyz" in healthcheck_text(web), "web: the healthcheck should ask /readyz (ready), not just /healthz"


def test_redis_keeps_queued_tasks(services):
    tokens = command_tokens(services["redis"])
    pairs = dict(zip(tokens, tokens[1:]))
    assert pairs.get("--appendonly") == "yes", "redis: needs `--appendonly yes` so queued tasks survive a restart"
    assert pairs.get("--maxmemory-policy") == "noeviction", (
        "redis: needs `--maxmemory-policy noeviction`: an evicted queued task is silently lost"
    )


def test_workers_and_beat_run_the_bot_worker_celery_app(services):
    celery = {**celery_services(services, "worker"), **celery_services(services, "beat")}
    assert {"worker", "beat"} <= set(celery), "the `worker` and `beat` services should run celery"
    for name, service in celery.items():
        assert celery_app(command_tokens(service)) == "bot.worker", f"{name}: celery must run with `-A bot.worker`"


def test_the_workers_consume_every_queue(services):
    consumed = set()
    for name, service in celery_services(services, "worker").items():
        queues = [t.split("=", 1)[1] for t in command_tokens(service) if t.startswith(("--queues=", "-Q="))]
        assert queues, f"{name}: name its queues (--queues=...), or it only consumes celery's default queue"
        consumed |= {q for value in queues for q in value.split(",")}
    assert WORKER_QUEUES <= consumed, f"no worker consumes queue(s) {sorted(WORKER_QUEUES - consumed)}"


def test_the_worker_is_health_checked_and_may_finish_its_task_on_stop(services):
    for name, service in celery_services(services, "worker").items():
        check = healthcheck_text(service)
        assert "inspect ping" in check and "$$HOSTNAME" in check, (
            f"{name}: healthcheck should be `celery -A bot.worker inspect ping --destination celery@$$HOSTNAME`"
        )
        ping_timeout = re.search(r"--timeout[= ](\d+)", check)
        if ping_timeout:
            assert seconds(service["healthcheck"]["timeout"]) > int(ping_timeout.group(1)), (
                f"{name}: the healthcheck timeout must be longer than the ping's --timeout"
            )
        assert seconds(service.get("stop_grace_period", "10s")) >= 60, (
            f"{name}: stop_grace_period should give a task in flight at least 60s to finish"
        )


def test_exactly_one_beat(services):
    beats = celery_services(services, "beat")
    assert list(beats) == ["beat"], f"exactly one service may run celery beat, found {sorted(beats) or 'none'}"
    beat = beats["beat"]
    replicas = (beat.get("deploy") or {}).get("replicas", 1)
    assert replicas <= 1 and beat.get("scale", 1) <= 1, "beat: never more than one replica (it would fire every task twice)"


@pytest.mark.parametrize("name", ("web", "worker"))
def test_scalable_services_have_no_fixed_container_name(services, name):
    assert "container_name" not in services[name], f"{name}: container_name stops `--scale {name}=N`"


def test_every_named_volume_is_declared(compose, services):
    declared = set(compose.get("volumes") or {})
    problems = []
    for name, service in services.items():
        for volume in service.get("volumes") or []:
            if isinstance(volume, dict):
                source = volume.get("source") if volume.get("type", "volume") == "volume" else None
            else:
                source = volume.split(":", 1)[0] if ":" in volume else None
            if source and not source.startswith(("/", ".", "~", "$")) and source not in declared:
                problems.append(f"{name}: uses volume `{source}`, not declared under top-level volumes")
    assert not problems, "\n".join(problems)


def test_durations_are_go_durations(services):
    # the schema marks them "format: duration" but does not check the format
    problems = []
    for name, service in services.items():
        values = {f"healthcheck.{k}": v for k, v in (service.get("healthcheck") or {}).items()
                  if k in ("interval", "timeout", "start_period")}
        if "stop_grace_period" in service:
            values["stop_grace_period"] = service["stop_grace_period"]
        problems += [f"{name}: {key}: {value!r} is not a duration like 30s or 1m30s"
                     for key, value in values.items() if not GO_DURATION.match(str(value))]
    assert not problems, "\n".join(problems)


def test_dollar_signs_meant_for_the_container_are_escaped():
    # compose interpolates $VAR itself (from the host); $$VAR reaches the container's shell
    problems = [f"line {number}: {line.strip()}" for number, line in enumerate(COMPOSE_FILE.read_text().splitlines(), 1)
                if not line.lstrip().startswith("#") and re.search(r"(?<!\$)\$[A-Za-z_]", line)]
    assert not problems, "bare $VAR in docker-compose.yml (write $$VAR, or ${VAR} for a value from .env):\n" + "\n".join(problems)


# --- settings and secrets ----------------------------------------------------------------


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_read_the_env_file(services, name):
    assert ".env" in env_files(services[name]), f"{name}: needs `env_file: .env` (settings and secrets come from it)"


def test_no_secret_is_written_in_the_compose_file(services):
    problems = []
    for name, service in services.items():
        for key, value in environment(service).items():
            if value is None:
                continue  # passed through from compose's own environment
            if any(word in key.upper() for word in SECRET_WORDS) and not ENV_REFERENCE.fullmatch(value):
                problems.append(f"{name}: {key} has a literal value; use ${{{key}}} from .env")
            for password in re.findall(r"://[^/:@\s]+:([^@\s]+)@", value):
                if not ENV_REFERENCE.fullmatch(password):
                    problems.append(f"{name}: {key} has a literal password in its URL; use a ${{VAR}} from .env")
    assert not problems, "\n".join(problems)


def setting_names_in(path: Path) -> set[str]:
    return set(re.findall(r"\bSUPPORTBOT_[A-Z0-9_]*[A-Z0-9]\b", path.read_text()))


@pytest.mark.parametrize("path", [ENV_EXAMPLE, COMPOSE_FILE], ids=lambda p: p.name)
def test_every_supportbot_variable_is_a_setting(path):
    prefix = Settings.model_config["env_prefix"]
    assert prefix == "SUPPORTBOT_"
    known = {prefix + field.upper() for field in Settings.model_fields}
    unknown = sorted(setting_names_in(path) - known)
    assert not unknown, f"{path.name} names variables that bot.settings.Settings has no field for: {unknown}"
