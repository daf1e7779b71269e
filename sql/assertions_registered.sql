-- A registered user's message (CONTRACT.md §5): its rows say so.
-- Parameters: :trace_id of the message, :user_id of the registered user.

-- assert: conversation_is_registered
-- expect: rows = 1
-- why: the conversation of the trace is the caller's, with user_type = 'registered'
SELECT DISTINCT c.id FROM conversations c JOIN messages m ON m.conversation_id = c.id
WHERE m.trace_id = :trace_id AND c.user_type = 'registered' AND c.user_id = :user_id::uuid;

-- assert: request_log_marks_registered
-- expect: rows >= 1
-- why: request_log has the trace with the caller and user_type registered
SELECT id FROM request_log WHERE trace_id = :trace_id AND user_type = 'registered' AND user_id = :user_id::uuid;
