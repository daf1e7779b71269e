/// The JSON (non-stream) answer in the dialect's shape; the contract's own for
/// native and for the AI SDK, whose clients always stream.
enum DialectAnswer {
    static func body(_ native: [String: Any], dialect: String, model: String, usage: (input: Int, output: Int)) -> [String: Any] {
        let content = native["content"] as? String ?? "", id = native["message_id"] as? String
        var body: [String: Any]
        let prefix: String
        switch dialect {
        case "openai-chat":
            prefix = "chatcmpl-"
            body = ["object": "chat.completion", "model": model,
                    "choices": [["index": 0, "message": ["role": "assistant", "content": content], "finish_reason": "stop"]],
                    "usage": ["prompt_tokens": usage.input, "completion_tokens": usage.output, "total_tokens": usage.input + usage.output]]
        case "openai-responses":
            prefix = "resp_"
            body = ["object": "response", "status": "completed", "model": model,
                    "output": [["type": "message", "role": "assistant", "content": [["type": "output_text", "text": content]]]],
                    "usage": ["input_tokens": usage.input, "output_tokens": usage.output, "total_tokens": usage.input + usage.output]]
        case "anthropic":
            prefix = "msg_"
            body = ["type": "message", "role": "assistant", "model": model, "content": [["type": "text", "text": content]],
                    "stop_reason": "end_turn", "usage": ["input_tokens": usage.input, "output_tokens": usage.output]]
        default: return native
        }
        // Without one where the answer has none (the json-without-message-id fault).
        if let id { body["id"] = prefix + id }
        return body
    }
}
