"""Answer writers behind the retrieval strategy: extractive (default) or an LLM behind any
OpenAI-compatible endpoint."""

from strategies.generators.base import Draft, GeneratorError, Writer

__all__ = ["Draft", "GeneratorError", "Writer"]
