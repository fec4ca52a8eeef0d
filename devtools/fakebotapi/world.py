"""What simulated users do: each action becomes an update and returns its update id."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from devtools.fakebotapi.messaging import image_size
from devtools.fakebotapi.records import ChatMessage, FakeUser, JsonDict
from devtools.fakebotapi.state import BotState, ChatState

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION = re.compile(r"(?<![A-Za-z0-9_])@[A-Za-z0-9_]{5,32}")


class UserActions:
    """Create users and groups and act as them; thread-safe, callable from any thread."""

    state: BotState

    def add_user(
        self,
        user_id: int,
        first_name: str = "Người dùng",
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "vi",
    ) -> FakeUser:
        """Create a user who has not started the bot yet."""
        user = FakeUser(user_id, first_name, username, last_name, language_code)
        self.state.add_user(user)
        return user

    def add_group(
        self, chat_id: int, title: str = "Nhóm thử", *, supergroup: bool = False
    ) -> None:
        """Create a group chat (negative id) that the bot is a member of."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        self.state.add_group(chat_id, title, "supergroup" if supergroup else "group")

    def add_bot_to_group(
        self, user_id: int, chat_id: int, title: str = "Nhóm thử", *, supergroup: bool = False
    ) -> int:
        """Have a user add the bot to a group (created if new); queue the my_chat_member update."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        with self.state.lock:
            user = self.state.user(user_id)
            chat = self.state.chats.get(chat_id)
            if chat is None:
                kind = "supergroup" if supergroup else "group"
                chat = self.state.add_group(chat_id, title, kind)
            elif chat.bot_member:
                raise ValueError(f"the bot is already a member of chat {chat_id}")
            chat.bot_member = True
            change = _member_change(self.state.bot_user, "left", "member")
            payload = {"my_chat_member": {"chat": chat.info, "from": user.to_api(), **change}}
        return self._push(payload)

    def block(self, user_id: int, *, notify: bool = True) -> int | None:
        """Make a user block the bot; with `notify`, queue the my_chat_member update."""
        with self.state.lock:
            user = self.state.user(user_id)
            user.blocked = True
            chat = self.state.chats[user_id]
        if not notify:
            return None
        change = _member_change(self.state.bot_user, "member", "kicked")
        return self._push({"my_chat_member": {"chat": chat.info, "from": user.to_api(), **change}})

    def unblock(self, user_id: int, *, notify: bool = False) -> int | None:
        """Make a user unblock the bot (sending anything also unblocks, as Restart does);
        with `notify`, queue the my_chat_member update Telegram sends for it."""
        with self.state.lock:
            user = self.state.user(user_id)
            user.blocked = False
            chat = self.state.chats[user_id]
        if not notify:
            return None
        change = _member_change(self.state.bot_user, "kicked", "member")
        return self._push({"my_chat_member": {"chat": chat.info, "from": user.to_api(), **change}})

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to: int | None = None,
        written_at: int | None = None,
    ) -> int:
        """Have a user send text; a leading /command and any @username get their entities.

        `written_at`: when Telegram dates it (seconds since the epoch), for a message sent
        earlier than the bot gets it (the bot was down); now by default."""
        return self._user_message(
            user_id,
            chat_id,
            reply_to,
            text=text,
            sent_text=text,
            entities=_entities(text),
            **({} if written_at is None else {"date": written_at}),
        )

    def send_command(
        self, user_id: int, command: str, payload: str = "", *, chat_id: int | None = None
    ) -> int:
        """Have a user send `/command payload` (e.g. /start with a deep-link payload)."""
        text = f"/{command.lstrip('/')}" + (f" {payload}" if payload else "")
        return self.send_text(user_id, text, chat_id=chat_id)

    def send_document(
        self,
        user_id: int,
        content: bytes,
        file_name: str,
        mime_type: str = "application/octet-stream",
        *,
        caption: str | None = None,
        chat_id: int | None = None,
        media_group_id: str | None = None,
    ) -> int:
        """Have a user upload a file as a document (one of an album: `media_group_id`)."""
        stored = self.state.store_file(content, "document", file_name, mime_type)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        return self._user_message(
            user_id,
            chat_id,
            None,
            document=document,
            caption=caption,
            media_group_id=media_group_id,
        )

    def send_photo(
        self,
        user_id: int,
        content: bytes,
        *,
        caption: str | None = None,
        chat_id: int | None = None,
        forward_origin: JsonDict | None = None,
        media_group_id: str | None = None,
        written_at: int | None = None,
    ) -> int:
        """Have a user send an image as a photo (forwarded from elsewhere: `forward_origin`;
        one of an album: `media_group_id`; dated earlier than now: `written_at`, seconds
        since the epoch)."""
        stored = self.state.store_file(content, "photo", None, "image/jpeg")
        width, height = image_size(content)
        size = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(content),
            "width": width,
            "height": height,
        }
        return self._user_message(
            user_id,
            chat_id,
            None,
            photo=[size],
            caption=caption,
            forward_origin=forward_origin,
            media_group_id=media_group_id,
            **({} if written_at is None else {"date": written_at}),
        )

    def edit_text(
        self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None
    ) -> int:
        """Have a user edit one of their text messages (an edited_message update)."""
        with self.state.lock:
            chat = self._chat_for(user_id, chat_id)
            message = chat.messages.get(message_id)
            if message is None or message.from_bot or message.sender["id"] != user_id:
                raise ValueError(f"user {user_id} has no message {message_id} in chat {chat.id}")
            message.text, message.sent_text = text, text
            message.entities = _entities(text)  # Telegram reads the edited text's anew
            message.edit_date = int(time.time())
            message.edits += 1
            payload = {"edited_message": self.state.message_api(message)}
        return self._push(payload)

    def spoil(self, chat_id: int, message_id: int, *, deleted: bool = False) -> None:
        """Make a bot message one the bot can no longer edit: older than Telegram's 48-hour
        window ("message can't be edited"), or deleted ("message to edit not found")."""
        with self.state.lock:
            message = self.state.chats[chat_id].messages[message_id]
            if deleted:
                message.deleted = True
            else:
                message.date -= 49 * 3600

    def press_button(
        self,
        user_id: int,
        callback_data: str,
        message_id: int | None = None,
        *,
        chat_id: int | None = None,
        inaccessible: bool = False,
    ) -> int:
        """Have a user press the inline button with `callback_data`.

        Without `message_id`, the latest bot message carrying that button is used. The
        callback query id is `callback_id(update_id)`. With `inaccessible`, the press gives
        its message as Telegram gives one too old or deleted: its chat, its id, date 0.
        """
        with self.state.lock:
            user = self.state.user(user_id)
            chat = self._chat_for(user_id, chat_id)
            message = _message_with_button(chat, callback_data, message_id)
            query_id = str(4_000_000_000_000_000 + len(self.state.callback_queries) + 1)
            query: JsonDict = {
                "id": query_id,
                "from": user.to_api(),
                "message": (
                    {"chat": chat.info, "message_id": message.message_id, "date": 0}
                    if inaccessible
                    else self.state.message_api(message)
                ),
                "chat_instance": str(abs(chat.id) * 31 + 7),
                "data": callback_data,
            }
            self.state.callback_queries[query_id] = query
        return self._push({"callback_query": query})

    def expire_presses(self) -> None:
        """Let the time to answer every press not answered yet pass: Telegram then refuses the
        answer ("query is too old"). It does so some seconds after the press (it documents no
        figure); a test expires them at the step it means, rather than waiting."""
        with self.state.lock:
            self.state.expired_queries |= set(self.state.callback_queries) - set(
                self.state.answers
            )

    def callback_id(self, update_id: int) -> str:
        """Return the callback query id carried by a press_button update."""
        with self.state.lock:
            for record in reversed(self.state.updates.log):
                if record.update_id == update_id and record.kind == "callback_query":
                    return str(record.payload["callback_query"]["id"])
        raise KeyError(f"update {update_id} is not a callback query")

    def redeliver(self, update_id: int) -> int:
        """Deliver an update again with the same update_id, as Telegram does after a crash."""
        return self.state.redeliver_update(update_id).update_id

    def inject_update(self, update: Mapping[str, Any]) -> int:
        """Queue an arbitrary raw update (any update_id it has is replaced)."""
        return self._push(dict(update))

    def _push(self, payload: JsonDict) -> int:
        """Queue an update and return its id."""
        return self.state.push_update(payload).update_id

    def _chat_for(self, user_id: int, chat_id: int | None) -> ChatState:
        """Return the chat a user acts in: their private chat unless a group is named."""
        self.state.user(user_id)
        chat = self.state.chats.get(chat_id if chat_id is not None else user_id)
        if chat is None:
            raise KeyError(f"chat {chat_id} does not exist; call add_group() first")
        return chat

    def _user_message(
        self, user_id: int, chat_id: int | None, reply_to: int | None, **fields: Any
    ) -> int:
        """Store a message from a user and queue the update carrying it."""
        with self.state.lock:
            user = self.state.user(user_id)
            chat = self._chat_for(user_id, chat_id)
            if chat.user is not None:
                user.started, user.blocked = True, False
            elif not chat.bot_member:
                raise ValueError(
                    f"the bot is not a member of chat {chat.id}: it would not see this"
                )
            if reply_to is not None and reply_to not in chat.messages:
                raise ValueError(f"no message {reply_to} in chat {chat.id} to reply to")
            message = self.state.add_message(chat, user, reply_to_message_id=reply_to, **fields)
            payload = {"message": self.state.message_api(message)}
        return self._push(payload)


def _message_with_button(
    chat: ChatState, callback_data: str, message_id: int | None
) -> ChatMessage:
    """Find the bot message in `chat` that shows a button with `callback_data`."""
    candidates = [
        m
        for m in reversed(chat.messages.values())
        if m.from_bot and not m.deleted and (message_id is None or m.message_id == message_id)
    ]
    for message in candidates:
        if callback_data in message.button_data():
            return message
    shown = {m.message_id: m.button_data() for m in candidates[:5]}
    raise ValueError(f"no button {callback_data!r} in chat {chat.id}; buttons shown: {shown}")


def _entities(text: str) -> list[JsonDict]:
    """Return the entities Telegram gives a text: a leading /command, any @username."""
    match = _COMMAND.match(text)
    entities = [{"type": "bot_command", "offset": 0, "length": match.end()}] if match else []
    return entities + [_entity("mention", text, m) for m in _MENTION.finditer(text)]


def _entity(kind: str, text: str, match: re.Match[str]) -> JsonDict:
    """Return a message entity for a match; Telegram counts offsets in UTF-16 code units."""
    offset = len(text[: match.start()].encode("utf-16-le")) // 2
    return {"type": kind, "offset": offset, "length": len(match.group().encode("utf-16-le")) // 2}


def _member_change(bot_user: JsonDict, old: str, new: str) -> JsonDict:
    """Return the date and old/new ChatMember fields of a my_chat_member update."""
    return {
        "date": int(time.time()),
        "old_chat_member": {"user": bot_user, "status": old, "until_date": 0},
        "new_chat_member": {"user": bot_user, "status": new, "until_date": 0},
    }
