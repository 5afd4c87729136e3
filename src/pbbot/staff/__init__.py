"""Staff's side of the bot in a chat: the staff chat on Telegram (`chat`), the
commands it reads (`commands`) and what it answers (`answers`)."""
