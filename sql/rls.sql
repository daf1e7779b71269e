-- Row Level Security for an anonymous user (CONTRACT.md S4.9): these run as `authenticated` with the
-- user's own claims in request.jwt.claims, inside a transaction that is rolled back. A subject query
-- runs as DB_CONN's role (past the policies): the rows the user must not see exist.
-- Parameters: :user_id (the claims' sub), :trace_id of a message the user sent.

-- assert: own_conversation_visible
-- expect: rows >= 1
-- why: the user reads its own conversation
SELECT DISTINCT c.id FROM conversations c JOIN messages m ON m.conversation_id = c.id WHERE m.trace_id = :trace_id;

-- assert: own_messages_visible
-- expect: rows >= 2
-- why: the user reads its own messages (its question and the reply)
SELECT id FROM messages WHERE trace_id = :trace_id;

-- assert: own_chat_raw_visible
-- expect: rows >= 2
-- why: the user reads its own chat_raw rows
SELECT id FROM chat_raw WHERE trace_id = :trace_id;

-- assert: others_conversations_invisible
-- expect: no rows
-- why: another user's conversations are invisible to it
SELECT id FROM conversations WHERE user_id <> :user_id::uuid;
-- subject: other users' conversations, as DB_CONN's role sees them
SELECT id FROM conversations WHERE user_id <> :user_id::uuid;

-- assert: others_messages_invisible
-- expect: no rows
-- why: another user's messages are invisible to it
SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.user_id <> :user_id::uuid;
-- subject: other users' messages, as DB_CONN's role sees them
SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.user_id <> :user_id::uuid;

-- assert: others_chat_raw_invisible
-- expect: no rows
-- why: another user's chat_raw rows are invisible to it
SELECT r.id FROM chat_raw r JOIN chat_sessions s ON s.id = r.session_id WHERE s.user_id <> :user_id::uuid;
-- subject: other users' chat_raw rows, as DB_CONN's role sees them
SELECT r.id FROM chat_raw r JOIN chat_sessions s ON s.id = r.session_id WHERE s.user_id <> :user_id::uuid;
