-- Further database assertions (CONTRACT.md §5): logs, errors, foreign keys,
-- time. Same parameters as assertions.sql.

-- assert: request_log_marks_anonymous
-- expect: rows >= 1
-- why: the backend's "user_type=anonymous" log mark: request_log has the trace with the caller and user_type anonymous
SELECT id, route, status FROM request_log WHERE trace_id = :trace_id AND user_type = 'anonymous' AND user_id = :user_id::uuid;

-- assert: messages_rows_of_the_trace
-- expect: rows >= 2
-- why: messages holds the user's message and the assistant's reply with the trace id
SELECT id, role FROM messages WHERE trace_id = :trace_id;

-- assert: foreign_keys_resolve
-- expect: no rows
-- why: every row the trace wrote points at rows that exist
SELECT 'chat_raw.session_id' AS reference, r.id::text AS row_id FROM chat_raw r
  WHERE r.trace_id = :trace_id AND NOT EXISTS (SELECT 1 FROM chat_sessions s WHERE s.id = r.session_id)
UNION ALL
SELECT 'chat_sessions.conversation_id', s.id::text FROM chat_sessions s
  WHERE s.id IN (SELECT session_id FROM chat_raw WHERE trace_id = :trace_id)
    AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = s.conversation_id)
UNION ALL
SELECT 'chat_sessions.user_id', s.id::text FROM chat_sessions s
  WHERE s.id IN (SELECT session_id FROM chat_raw WHERE trace_id = :trace_id)
    AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = s.user_id)
UNION ALL
SELECT 'messages.conversation_id', m.id::text FROM messages m
  WHERE m.trace_id = :trace_id AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.id = m.conversation_id)
UNION ALL
SELECT 'conversations.user_id', c.id::text FROM conversations c
  WHERE c.id IN (SELECT conversation_id FROM messages WHERE trace_id = :trace_id)
    AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = c.user_id);
-- subject: the chat_raw rows of the trace, where messages has rows of it too (either alone would leave half the references unchecked)
SELECT r.id::text FROM chat_raw r WHERE r.trace_id = :trace_id AND EXISTS (SELECT 1 FROM messages m WHERE m.trace_id = :trace_id);

-- assert: timestamps_never_go_backwards
-- expect: no rows
-- why: updated times are never before created times in the rows of the trace
SELECT 'conversations' AS tbl, c.id::text FROM conversations c
  WHERE c.id IN (SELECT conversation_id FROM messages WHERE trace_id = :trace_id)
    AND (c.created_at IS NULL OR c.updated_at IS NULL OR c.updated_at < c.created_at)
UNION ALL
SELECT 'chat_sessions', s.id::text FROM chat_sessions s
  WHERE s.id IN (SELECT session_id FROM chat_raw WHERE trace_id = :trace_id)
    AND (s.created_at IS NULL OR s.db_updated_at IS NULL OR s.db_updated_at < s.created_at)
UNION ALL
SELECT 'users', u.id::text FROM users u WHERE u.id = :user_id::uuid
    AND (u.created_at IS NULL OR u.last_login_at IS NULL OR u.last_login_at < u.created_at);
-- subject: the chat session of the trace with its conversation and its user (all three, not the user's row alone)
SELECT s.id::text FROM chat_sessions s
  JOIN conversations c ON c.id = s.conversation_id JOIN users u ON u.id = s.user_id
  WHERE s.id IN (SELECT session_id FROM chat_raw WHERE trace_id = :trace_id) AND u.id = :user_id::uuid;

-- assert: api_errors_for_provoked_refusals
-- expect: no rows
-- why: every refusal the suite provoked left an api_errors row with its trace id, and the status and code its answer had
SELECT r.trace_id AS refusal_without_matching_row, r.status, r.code FROM jsonb_to_recordset(:refusals::jsonb) AS r(trace_id text, status int, code text)
WHERE NOT EXISTS (SELECT 1 FROM api_errors e WHERE e.trace_id = r.trace_id AND e.status = r.status AND e.code = r.code);
-- subject: the refusals the suite provoked
SELECT r.trace_id FROM jsonb_to_recordset(:refusals::jsonb) AS r(trace_id text, status int, code text);
