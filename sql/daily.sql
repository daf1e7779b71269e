-- The daily run's assertions (seed 001): the rows one ordinary conversation
-- wrote, for an anonymous or a registered user. Parameters:
--   :user_id        the caller (the token's sub)
--   :user_type      anonymous or registered
--   :trace_id       the X-Trace-Id of the message
--   :final_content  final.content as the stream delivered it
--   :system_prompt  the assembled system prompt sent (NULL: the server's default)

-- assert: daily_user_row
-- expect: rows = 1
-- why: users has the caller, anonymous exactly when the run's user is
SELECT id FROM users WHERE id = :user_id::uuid AND is_anonymous = (:user_type = 'anonymous');

-- assert: daily_user_message
-- expect: rows >= 1
-- why: chat_raw holds the user's message under the trace id
SELECT id FROM chat_raw WHERE trace_id = :trace_id AND role = 'user';

-- assert: daily_final_answer
-- expect: rows = 1
-- why: exactly one final assistant row, whose final_markdown is the stream's final.content
SELECT id FROM chat_raw WHERE trace_id = :trace_id AND role = 'assistant' AND is_final AND final_markdown = :final_content;

-- assert: daily_system_prompt
-- expect: rows = 1
-- why: the system row holds the prompt sent, or a non-empty default when none was sent
SELECT id FROM chat_raw WHERE trace_id = :trace_id AND role = 'system' AND coalesce(content, '') <> ''
  AND (:system_prompt::text IS NULL OR content = :system_prompt::text);

-- assert: daily_request_logged
-- expect: rows >= 1
-- why: request_log has the message with status 200 and the caller's user_type
SELECT id FROM request_log WHERE trace_id = :trace_id AND status = 200 AND user_type = :user_type AND user_id = :user_id::uuid;
