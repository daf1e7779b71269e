-- The suite's core database assertions (CONTRACT.md §5), run read-only after
-- one anonymous POST /api/v1/messages. Parameters the suite passes:
--   :user_id          the anonymous user's id (the token's sub)
--   :trace_id         the X-Trace-Id of that message
--   :final_content    final.content as the stream delivered it
--   :request_started  when the request began (client clock, ISO 8601)
--   :refusals         the refusals the suite provoked, JSON: [{"trace_id","status","code"}]
--   :meta_session_id, :meta_conversation_id   what the stream's meta frame named
--   :default_system_prompt  DEFAULT_SYSTEM_PROMPT when the team states it (else NULL)
--   :system_trace_id, :system_prompt          a second message, sent with its own "system" prompt
-- A team whose tables or columns are named differently edits this file, not Swift.
-- Each "no rows" assertion has a subject query that must find the rows under
-- test; "no violation" among no rows at all would prove nothing. NULL where the
-- contract requires a value is a violation.
-- Clock skew between the suite and the database is tolerated up to 60 s.

-- assert: user_is_anonymous_and_fresh
-- expect: no rows
-- why: users has the caller with is_anonymous = true and last_login_at no older than the request
SELECT wanted.id, u.is_anonymous, u.last_login_at
FROM (SELECT :user_id::uuid AS id) wanted LEFT JOIN users u ON u.id = wanted.id
WHERE u.id IS NULL OR u.is_anonymous IS NOT TRUE OR u.last_login_at IS NULL
   OR u.last_login_at < :request_started::timestamptz - interval '60 seconds';
-- subject: the caller's users row
SELECT id FROM users WHERE id = :user_id::uuid;

-- assert: chat_raw_user_row
-- expect: rows >= 1
-- why: chat_raw holds the user's message with the trace id
SELECT id, session_id, role FROM chat_raw WHERE trace_id = :trace_id AND role = 'user';

-- assert: chat_raw_final_assistant
-- expect: rows = 1
-- why: exactly one final assistant row whose final_markdown is the stream's final.content
SELECT id, session_id, model FROM chat_raw
WHERE trace_id = :trace_id AND role = 'assistant' AND is_final AND final_markdown = :final_content;

-- assert: system_row_is_the_default
-- expect: rows = 1
-- why: a message sent without "system" stores the server's default system prompt: non-empty, and DEFAULT_SYSTEM_PROMPT when stated
SELECT id, session_id FROM chat_raw WHERE trace_id = :trace_id AND role = 'system' AND coalesce(content, '') <> ''
  AND (:default_system_prompt::text IS NULL OR content = :default_system_prompt::text);

-- assert: system_row_is_the_request_prompt
-- expect: rows = 1
-- why: a message sent with "system" stores exactly that prompt, in the same chat session as its user row
SELECT s.id FROM chat_raw s JOIN chat_raw u ON u.session_id = s.session_id AND u.trace_id = s.trace_id AND u.role = 'user'
WHERE s.trace_id = :system_trace_id AND s.role = 'system' AND s.content = :system_prompt;

-- assert: meta_session_is_the_chat_session
-- expect: rows >= 1
-- why: meta.session_id is the chat_sessions row the trace's chat_raw rows point at (not the JWT's auth session)
SELECT s.id FROM chat_sessions s JOIN chat_raw r ON r.session_id = s.id
WHERE r.trace_id = :trace_id AND s.id::text = :meta_session_id;

-- assert: meta_conversation_is_the_rows_conversation
-- expect: rows >= 1
-- why: meta.conversation_id is the conversation the trace's rows landed in
SELECT c.id FROM conversations c JOIN messages m ON m.conversation_id = c.id
WHERE m.trace_id = :trace_id AND c.id::text = :meta_conversation_id;

-- assert: chat_raw_session_is_the_callers
-- expect: no rows
-- why: every chat_raw row of the trace points at a chat session of the caller
SELECT r.id, r.session_id, s.user_id FROM chat_raw r LEFT JOIN chat_sessions s ON s.id = r.session_id
WHERE r.trace_id = :trace_id AND (s.id IS NULL OR s.user_id IS DISTINCT FROM :user_id::uuid);
-- subject: the chat_raw rows of the trace
SELECT id FROM chat_raw WHERE trace_id = :trace_id;

-- assert: chat_session_counted_and_fresh
-- expect: no rows
-- why: the chat session of the trace has message_count >= 1 and a fresh db_updated_at
SELECT s.id, s.message_count, s.db_updated_at FROM chat_sessions s
WHERE s.id IN (SELECT session_id FROM chat_raw WHERE trace_id = :trace_id)
  AND (s.message_count IS NULL OR s.message_count < 1 OR s.db_updated_at IS NULL
       OR s.db_updated_at < :request_started::timestamptz - interval '60 seconds');
-- subject: the chat session of the trace
SELECT s.id FROM chat_sessions s WHERE s.id IN (SELECT session_id FROM chat_raw WHERE trace_id = :trace_id);

-- assert: conversation_is_anonymous
-- expect: rows = 1
-- why: the conversation of the trace is the caller's, with user_type = 'anonymous'
SELECT DISTINCT c.id, c.user_type FROM conversations c
JOIN chat_sessions s ON s.conversation_id = c.id
JOIN chat_raw r ON r.session_id = s.id
WHERE r.trace_id = :trace_id AND c.user_type = 'anonymous' AND c.user_id = :user_id::uuid;
