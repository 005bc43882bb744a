"""Social turns that are not support requests: a greeting, thanks, a goodbye, an "ok", a bare
yes or no, or asking what the bot can do. They get a short reply of their own instead of a
docs search, which finds nothing for "hi" and would send it to the support queue.

Only a whole message counts ("thanks, bye" is; "thanks, how do I export?" is a question)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

SMALL_TALK = "small_talk"  # the strategy name in traces
MAX_CHARS = 80  # longer messages carry a request, whatever words they start with


class SmallTalk(StrEnum):
    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    ACKNOWLEDGED = "acknowledged"
    YES = "yes"
    NO = "no"
    CAPABILITIES = "capabilities"  # "what can you do?", "help", "are you a bot?"


_GREETING = (
    r"hi+|hey+|hell+o+|heya|hiya|howdy|yo|hola|bonjour|greetings(?: to you)?|good (?:morning|afternoon|evening|day)|morning"
    r"|how are (?:you|u|things)(?: doing| going)?(?: today)?|how(?:'re| are) you doing|how have you been"
    r"|how(?:'s| is) (?:it|everything)(?: going)?|hows it going|how goes it|what's up|whats up"
    r"|hope (?:you're|youre|you are) (?:well|doing well)|(?:is )?any ?(?:one|body) (?:there|here|around|home)"
    r"|just wanted to say hi"
)
_THANKS = (
    r"(?:thanks?|thank (?:you|u)(?: kindly)?|thx|thnx|ty|tysm|tyvm|cheers|many thanks|much (?:appreciated|obliged)"
    r"|gracias|merci|(?:i )?(?:really |truly )?appreciate (?:it|that|this|the (?:help|assistance|info|answer)|your help|you helping me))"
    r"(?: (?:so |very )?(?:much|kindly)| a (?:lot|bunch|ton)| again| anyway"
    r"| for (?:the|your|all the|all your|that|this) (?:help|assistance|answer|info|information|support|explanation|reply)"
    r"| for (?:that|this|helping(?: me)?|letting me know|answering|everything|your time))*"
    r"|that (?:helped|helps|worked|works|fixed it|did it|did the trick|solved it)"
    r"|(?:that's|thats|that is|very|super|really) helpful"
    r"|(?:you've been|you have been|you're|you are|that was) (?:a |so |very |really )?(?:great |big |huge |real )?(?:help|helpful)"
)
_GOODBYE = (
    r"bye+(?: bye)?|goodbye|good bye|good ?night|see (?:you|ya)(?: later| soon| around)?|later|cya|take care|take it easy"
    r"|talk (?:to you )?(?:later|soon)|catch you later|adios|sayonara|gotta go|i have to go"
    r"|have a (?:good|nice|great|lovely) (?:day|one|evening|night|weekend)"
    r"|(?:that's|thats|that is|that was) (?:all|it)(?: i (?:need|needed))?(?: for now)?|nothing (?:else|more)|no more questions"
    r"|i'm (?:all )?(?:done|good|set)(?: here)?|i am (?:all )?(?:done|good|set)|all (?:good|set)"
)
_ACKNOWLEDGED = (
    r"ok(?:ay)?|k|kk|alright|all right|cool|great|nice|perfect|awesome|excellent|got it|gotcha|understood"
    r"|i see|makes sense|sounds good|fine|good|noted|wow|lovely|brilliant|really great"
)
_YES = r"yes+|yeah|yep|yup|sure|please do|go ahead|yes please|ya|absolutely|of course|definitely|correct"
_NO = r"no+|nope|nah|naw|no thanks?|no thank you|not now|not really|no need|no way|not at all|definitely not|i don't think so"
_CAPABILITIES = (
    r"help(?: me)?|i need (?:some )?help|can (?:you|u) help(?: me)?|what do (?:you|u) do|what are (?:you|u)|who are (?:you|u)"
    r"|what (?:else |all |exactly )?can (?:you|u) (?:do|answer|help(?: me)? with|assist(?: me)? with)(?: exactly| for me)?"
    r"|what (?:can|do) (?:you|u) (?:help|assist)(?: me)?(?: with)?|what are you able to (?:do|answer|help(?: me)? with)"
    r"|(?:what|which) (?:things|topics|kinds? of (?:things|questions)|types? of (?:things|questions)|sorts? of (?:things|questions))"
    r" (?:can|do) (?:you|u) (?:answer|do|help(?: me)? with|know about)"
    r"|(?:what|which) (?:things|topics|kinds? of (?:things|questions)|types? of (?:things|questions)|sorts? of (?:things|questions))?"
    r" ?(?:can|should|may) i ask(?: you)?(?: about)?"
    r"|am i (?:talking|speaking|chatting) (?:to|with) (?:a |an )?(?:real |actual |live )?(?:person|human|bot|robot|computer|machine|ai|someone real)"
    r"|are (?:you|u) (?:actually |really )?(?:a |an )?(?:real |actual |live )?(?:bot|robot|human(?: being)?|person|computer|machine|ai|real)"
    r"(?: or (?:a |an )?(?:real |actual |live )?(?:bot|robot|human(?: being)?|person|computer|machine|ai))?"
    r"|is this (?:a )?(?:bot|robot|human|real person|automated)|menu|options|how does this work|how do i use (?:you|this)"
)
_FILLER = r"please|pls|plz|so|well|oh|um+|uh+|again|just|and|but|then|there|team|all|everyone|everybody|folks|guys|bot|friend"

_PHRASES = [
    (kind, re.compile(pattern))
    for kind, pattern in [
        (SmallTalk.THANKS, _THANKS),
        (SmallTalk.GOODBYE, _GOODBYE),
        (SmallTalk.CAPABILITIES, _CAPABILITIES),
        (SmallTalk.GREETING, _GREETING),
        (SmallTalk.NO, _NO),
        (SmallTalk.YES, _YES),
        (SmallTalk.ACKNOWLEDGED, _ACKNOWLEDGED),
        (None, _FILLER),
    ]
]
MAX_PHRASE_WORDS = 12
# What a whole message means when it holds several: "ok thanks bye" is a goodbye.
_PRECEDENCE = [
    SmallTalk.GOODBYE, SmallTalk.THANKS, SmallTalk.CAPABILITIES, SmallTalk.NO, SmallTalk.YES,
    SmallTalk.GREETING, SmallTalk.ACKNOWLEDGED,
]
_EMOJI_WORDS = {"👍": " ok ", "👌": " ok ", "🙏": " thanks ", "👋": " hi ", "✅": " ok "}


def small_talk_in(text: str) -> SmallTalk | None:
    """What social turn the whole message is, or None when it asks or tells something else."""
    if len(text) > MAX_CHARS:
        return None
    kinds = _phrases_of(tuple(_normalised(text).split()))
    if kinds is None:
        return None
    return next((kind for kind in _PRECEDENCE if kind in kinds), None)


def _phrases_of(words: tuple[str, ...]) -> set[SmallTalk | None] | None:
    """The kinds of the phrases that make up all of `words`, longest phrases first; None when
    some words are not small talk."""
    failed: set[int] = set()  # starts from which the rest cannot be read

    def read_from(start: int) -> set[SmallTalk | None] | None:
        if start == len(words):
            return set()
        if start in failed:
            return None
        for end in range(min(len(words), start + MAX_PHRASE_WORDS), start, -1):
            piece = " ".join(words[start:end])
            for kind, pattern in _PHRASES:
                if pattern.fullmatch(piece) and (rest := read_from(end)) is not None:
                    return {kind, *rest}
        failed.add(start)
        return None

    return read_from(0) if words else None


def _normalised(text: str) -> str:
    for emoji, word in _EMOJI_WORDS.items():
        text = text.replace(emoji, word)
    text = text.lower().replace("’", "'")
    text = re.sub(r"(\w)\1{2,}", r"\1\1", text)  # "hiiii" -> "hii", "thanksss" -> "thankss"
    text = re.sub(r"<@[^>]+>", " ", text)  # a mention of the bot in Slack or Teams
    text = re.sub(r"[^\w\s']|_", " ", text)
    return " ".join(text.split())


class SmallTalkReplies:
    """The bot's words for social turns. `product` names the product in the greeting."""

    def __init__(self, product: str | None = None) -> None:
        self._product = product.strip() if product and product.strip() else None

    def reply(self, kind: SmallTalk) -> str:
        """The reply to anything but CAPABILITIES, which needs to know what the bot serves."""
        return {
            SmallTalk.GREETING: self.greeting(),
            SmallTalk.THANKS: "You're welcome, glad I could help! Is there anything else?",
            SmallTalk.GOODBYE: "Bye for now! Message me here any time you need help.",
            SmallTalk.ACKNOWLEDGED: "Is there anything else I can help with?",
            SmallTalk.YES: "Sure, what can I help you with?",
            SmallTalk.NO: "OK! If anything else comes up, just ask.",
            SmallTalk.CAPABILITIES: self.capabilities((), docs=True),
        }[kind]

    def greeting(self) -> str:
        who = f"the {self._product} support bot" if self._product else "the support bot"
        return (
            f"Hi! I'm {who}. Ask me a question, or tell me what's going wrong and I'll help you sort it out. "
            'Say "what can you do?" to see what I can help with, or "talk to a person" any time.'
        )

    def capabilities(self, script_titles: Iterable[str], docs: bool) -> str:
        titles = sorted(set(script_titles), key=str.lower)
        about = f"{self._product}" if self._product else "the product"
        lines = [f"I'm a bot. I can answer questions about {about} from our help center, with links to the pages I used."] if docs else ["I'm a bot."]
        if titles:
            lines.append("I can also walk you through these:" if docs else "I can walk you through these:")
            lines.extend(f"• {title}" for title in titles)
        lines.append('Or say "talk to a person" and I\'ll bring in someone from the support team.')
        return "\n".join(lines)

    def during_script(self, kind: SmallTalk) -> str:
        """What the bot says before asking the script's question again."""
        return {
            SmallTalk.GREETING: "Hi!",
            SmallTalk.THANKS: "You're welcome!",
        }.get(kind, "")
