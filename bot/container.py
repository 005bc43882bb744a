"""The composition root: builds every object from the settings, once, lazily.

Modules that pull in torch and haystack are imported inside the properties that need them,
so commands that only read the database (`traces`, `sources list`) start in a blink.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from bot.catalog import SourceCatalog
from bot.chat_posters import notice_sender, reply_poster
from bot.db.engine import create_db_engine, migrate, session_factory
from bot.search_index_opening import open_search_index
from bot.settings import Settings
from strategies.small_talk import SmallTalkReplies

if TYPE_CHECKING:
    from bot.admin_commands import AdminCommands
    from bot.answer_handoff import ReplyPoster, WorkerAnswers
    from bot.delivery_ledger import DeliveryLedger
    from bot.router_reload import ReloadingRouter
    from bot.evaluation.thresholds import ThresholdSettings, ThresholdsInForce
    from bot.background import BackgroundJobs, ThreadScheduler
    from bot.answer_service import AnswerService
    from bot.chat_actions import ChatActions
    from bot.chat_backend import ChatBackend
    from bot.console.services import ConsoleServices
    from bot.escalations import EscalationNotices, EscalationNotifier
    from bot.slack import SlackChat
    from bot.teams import TeamsChat
    from bot.source_removal import SourceRemoval
    from bot.sync_service import SyncService
    from botframework.connector.auth import ServiceClientCredentialsFactory
    from knowledge.indexing import Indexer
    from knowledge.retrieval import HybridRetriever
    from knowledge.sources.options import ConnectorOptions
    from knowledge.stores.base import SearchIndex
    from bot.script_models import ScriptModelRegistry
    from strategies.generators.base import Writer
    from strategies.generators.openai_compatible import OpenAICompatibleWriter
    from strategies.retrieval_strategy import RetrievalStrategy
    from strategies.script_strategy import ScriptStrategy
    from strategies.scripts import ScriptFolder, ScriptSet

log = logging.getLogger(__name__)


class Container:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = create_db_engine(settings.resolved_database_url)
        self.sessions = session_factory(self.engine)
        self.notices: list[str] = []  # things the user should hear about, e.g. a rebuilt index
        self._script_model = None  # the active script classifier as last loaded
        # Outgoing Bot Framework credentials for Teams; None: the SDK's own, from the settings
        # (MSAL, login.microsoftonline.com). A local test harness sets one that it can serve.
        self.teams_credentials: ServiceClientCredentialsFactory | None = None

    def init_db(self) -> None:
        migrate(self.engine)

    @cached_property
    def embedding_model(self) -> str:
        from knowledge.embedding import packaged_model_path

        return self.settings.embedding_model or packaged_model_path()

    @cached_property
    def small_talk(self) -> SmallTalkReplies:
        return SmallTalkReplies(self.settings.product_name)

    @cached_property
    def sources(self) -> SourceCatalog:
        return SourceCatalog(self.sessions)

    @cached_property
    def index(self) -> SearchIndex:
        return open_search_index(self.settings, self.sessions, self.embedding_model, self.notices)

    @cached_property
    def indexer(self) -> Indexer:
        from knowledge.indexing import Indexer

        return Indexer(self.index, self.embedding_model)

    @cached_property
    def sync_service(self) -> SyncService:
        from bot.sync_service import SyncService

        return SyncService(
            self.sessions,
            self.sources,
            self.indexer,
            chunk_words=self.settings.chunk_words,
            chunk_overlap_words=self.settings.chunk_overlap_words,
            batch_size=self.settings.sync_batch_size,
            connector_options=self.connector_options,
            lease_stale_after=timedelta(seconds=self.settings.sync_lease_s),
        )

    @cached_property
    def source_removal(self) -> SourceRemoval:
        from bot.source_removal import SourceRemoval

        return SourceRemoval(self.sessions, self.sources, self.index, self.sync_service.leases)

    @cached_property
    def background(self) -> BackgroundJobs:
        """Celery workers when SUPPORTBOT_REDIS_URL is set, threads of this process otherwise."""
        if self.settings.redis_url is not None:
            from bot.background import CeleryJobs
            from bot.worker.celery_app import create_celery_app

            return CeleryJobs(create_celery_app(self.settings, with_tasks=False))
        from bot.background import ThreadJobs

        return ThreadJobs(self.sync_service.sync, self.reindex, self.escalation_notices.send)

    @cached_property
    def connector_options(self) -> ConnectorOptions:
        from knowledge.sources.options import ConnectorOptions, ZendeskCredentials

        settings = self.settings
        zendesk = None
        if settings.zendesk_email and settings.zendesk_api_token:
            zendesk = ZendeskCredentials(settings.zendesk_email, settings.zendesk_api_token.get_secret_value())
        return ConnectorOptions(
            timeout_s=settings.crawl_timeout_s,
            max_pages=settings.crawl_max_pages,
            max_page_bytes=settings.crawl_max_page_bytes,
            zendesk=zendesk,
        )

    def reindex(self, on_progress=None) -> int:
        from bot.reindex import rebuild_index

        return rebuild_index(self.sessions, self.indexer, on_progress)

    @cached_property
    def retriever(self) -> HybridRetriever:
        from knowledge.retrieval import HybridRetriever

        return HybridRetriever(
            self.index,
            embedding_model=self.embedding_model,
            top_k=self.settings.retrieval_top_k,
            candidates=self.settings.retrieval_candidates,
        )

    @cached_property
    def writer(self) -> Writer | None:
        settings = self.settings
        if not settings.llm_base_url:
            return None
        from strategies.generators.openai_compatible import OpenAICompatibleWriter

        return OpenAICompatibleWriter(
            base_url=settings.llm_base_url,
            model=settings.llm_model or "",
            api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
            timeout_s=settings.llm_timeout_s,
        )

    @cached_property
    def retrieval_strategy(self) -> RetrievalStrategy:
        return self.retrieval_strategy_for(self.thresholds_in_force)

    def retrieval_strategy_for(self, thresholds: ThresholdsInForce) -> RetrievalStrategy:
        from strategies.retrieval_strategy import RetrievalStrategy

        calibrated = thresholds.min_similarity
        return RetrievalStrategy(
            self.retriever,
            writer=self.writer,
            min_similarity=calibrated if calibrated is not None else self.settings.min_evidence_similarity,
            max_evidence=self.settings.max_evidence,
            new_topic_below=self.settings.new_topic_below,
        )

    @cached_property
    def script_folder(self) -> ScriptFolder:
        from strategies.scripts import ScriptFolder

        return ScriptFolder(self.settings.scripts_dir)

    @property
    def scripts(self) -> ScriptSet:
        """As the script files say now: an edit takes effect without a restart (strategies.scripts.folder)."""
        return self.script_folder.current()

    @cached_property
    def script_models(self) -> ScriptModelRegistry:
        from bot.script_models import ScriptModelRegistry

        return ScriptModelRegistry(self.sessions)

    @cached_property
    def script_strategy(self) -> ScriptStrategy | None:
        """None until a model is trained; then the router can follow scripts."""
        from bot.script_models import ScriptModelError

        try:
            model = self.active_script_model()
        except ScriptModelError as exc:
            notice = f"{exc}; answering from the docs only until a model is activated."
            log.error(notice)
            self.notices.append(notice)
            return None
        return self.script_strategy_for(model, self.thresholds_in_force)

    def active_script_model(self):
        """The active classifier, loaded once per version (None until a model is trained); raises
        ScriptModelError when it does not load."""
        row = self.script_models.active()
        if row is None:
            return None
        if getattr(self._script_model, "version", None) != row.version:
            self._script_model = self.script_models.load(row)
        return self._script_model

    def script_strategy_for(self, model, thresholds: ThresholdsInForce) -> ScriptStrategy | None:
        """`model` (None: no scripts) following the scripts, with the calibrated threshold if one was chosen for it."""
        from bot.evaluation.thresholds import with_calibrated_threshold
        from strategies.script_strategy import ScriptStrategy
        from strategies.scripts import ScriptEngine

        if model is None:
            return None
        scripts = self.scripts.scripts  # one snapshot: the engine follows these until the next rebuild
        missing = sorted(set(model.labels) - set(scripts))
        if missing:
            log.warning("the active model knows scripts that are not defined any more: %s", ", ".join(missing))
        untrained = sorted(set(scripts) - set(model.labels))
        if untrained:
            log.warning("scripts the active model %s was not trained on, which start only after `supportbot train`: %s",
                        model.version, ", ".join(untrained))
        calibrated = with_calibrated_threshold(model, thresholds, self.notices)
        return ScriptStrategy(calibrated, ScriptEngine(scripts), writer=self.script_writer)

    @cached_property
    def threshold_settings(self) -> ThresholdSettings:
        from bot.evaluation.thresholds import ThresholdSettings

        return ThresholdSettings(self.sessions)

    @cached_property
    def thresholds_in_force(self) -> ThresholdsInForce:
        return self.read_thresholds()

    def read_thresholds(self) -> ThresholdsInForce:
        from sqlalchemy.exc import OperationalError, ProgrammingError

        from bot.evaluation.thresholds import DEFAULTS

        try:
            return self.threshold_settings.in_force()
        except (OperationalError, ProgrammingError) as exc:  # a database not migrated to 0008 yet
            log.warning("router threshold settings unreadable, using the defaults: %s", exc.__class__.__name__)
            return DEFAULTS

    @cached_property
    def script_writer(self) -> OpenAICompatibleWriter | None:
        settings = self.settings
        if not (settings.llm_base_url and settings.script_writer_model):
            return None
        from strategies.generators.openai_compatible import OpenAICompatibleWriter

        return OpenAICompatibleWriter(
            base_url=settings.llm_base_url,
            model=settings.script_writer_model,
            api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
            timeout_s=settings.llm_timeout_s,
        )

    @cached_property
    def router(self) -> ReloadingRouter:
        """Picks up a newly activated model or calibrated thresholds while the bot runs."""
        from bot.router_reload import reloading_router

        return reloading_router(self)

    @cached_property
    def answer_service(self) -> AnswerService:
        from bot.answer_service import AnswerService

        return AnswerService(
            self.sessions,
            self.router,
            index_backend=self.index.name,
            embedding_model=Path(self.embedding_model).name,
            max_message_chars=self.settings.max_message_chars,
            history_turns=self.settings.history_turns,
            notices=self.escalation_notifier,
        )

    @cached_property
    def escalation_notices(self) -> EscalationNotices:
        from bot.escalations import EscalationNotices

        return EscalationNotices(self.sessions, notice_sender(self.settings, self.teams_credentials))

    @cached_property
    def sync_scheduler(self) -> ThreadScheduler:
        """Starts scheduled syncs on threads when there is no celery beat (the embedded default)."""
        from bot.background import ThreadScheduler
        from bot.sync_schedule import claim_due_sources

        return ThreadScheduler(
            lambda: claim_due_sources(self.sessions), self.background, self.settings.sync_due_check_s
        )

    @cached_property
    def escalation_notifier(self) -> EscalationNotifier:
        """Sends at once in-process; with workers, queues the notice (retried with backoff there)."""
        if self.settings.redis_url is None:
            return self.escalation_notices
        from bot.background import QueuedNotices

        return QueuedNotices(self.background)

    @cached_property
    def chat_actions(self) -> ChatActions:
        from bot.chat_actions import ChatActions

        return ChatActions(self.sessions, self.escalation_notifier)

    @cached_property
    def admin_commands(self) -> AdminCommands:
        from bot.admin_commands import AdminCommands

        return AdminCommands(
            self.sessions, self.sources, self.settings.admin_users, lambda name: self.background.sync_source(name, "chat")
        )

    @cached_property
    def chat_backend(self) -> ChatBackend:
        """What chat adapters call. Cheap to build: the answer service loads on first use."""
        from bot.chat_backend import ChatBackend

        return ChatBackend(
            self.sessions,
            lambda: self.answer_service,
            self.chat_actions,
            self.admin_commands,
            self.delivery_ledger,
            workers=self.settings.answer_workers,
            hand_off=self.background.deliver_answer if self.answers_on_workers else None,
        )

    @property
    def answers_on_workers(self) -> bool:
        """Answers an LLM writes take seconds: with workers, they are computed and posted there."""
        return self.settings.redis_url is not None and self.settings.llm_base_url is not None

    @cached_property
    def delivery_ledger(self) -> DeliveryLedger:
        from bot.delivery_ledger import DeliveryLedger

        return DeliveryLedger(self.sessions, remember=timedelta(minutes=self.settings.dedupe_minutes))

    @cached_property
    def worker_answers(self) -> WorkerAnswers:
        from bot.answer_handoff import WorkerAnswers

        return WorkerAnswers(lambda: self.answer_service, self.delivery_ledger, self.reply_poster)

    def reply_poster(self, chat: str) -> ReplyPoster:
        return reply_poster(self.settings, chat, self.teams_credentials)

    @cached_property
    def slack_chat(self) -> SlackChat:
        from bot.slack import SlackChat

        return SlackChat(self.settings, self.chat_backend)

    @cached_property
    def teams_chat(self) -> TeamsChat:
        from bot.teams import TeamsChat

        return TeamsChat(self.settings, self.chat_backend, credentials_factory=self.teams_credentials)

    @cached_property
    def console(self) -> ConsoleServices:
        """The review console's sign-in, thread posting and promotions (`bot.console`)."""
        from bot.console.build import build_console

        return build_console(self)
