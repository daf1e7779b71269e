import Foundation

/// Writes a reply produced in CONTRACT §2's frames in another dialect's
/// (`STREAM_DIALECT`, the frames of DIALECTS.md): one stream's encoder,
/// frame by frame as they go out. Its dialect faults break it the way real
/// backends break theirs.
struct DialectEncoder {
    static let names = ["native", "openai-chat", "openai-responses", "anthropic", "ai-sdk-ui"]

    let dialect: String
    let faults: Set<Fault>
    /// The prompt's token count, for the dialects that announce it at the start (Anthropic).
    let inputTokens: Int
    private var messageID = ""
    private var model = ""
    private var sequence = 0
    /// Anthropic's fault holds each delta back one frame, to send the last after `message_stop`.
    private var heldDelta: SSEFrame?

    init(dialect: String, faults: Set<Fault>, inputTokens: Int) {
        self.dialect = dialect
        self.faults = faults
        self.inputTokens = inputTokens
    }

    /// The frames that carry `frame` in the dialect.
    mutating func encode(_ frame: SSEFrame) -> [SSEFrame] {
        guard dialect != "native" else { return [frame] }
        if frame.comment != nil { return dialect == "anthropic" ? [event("ping", ["type": "ping"])] : [frame] }
        let data = frame.data.flatMap { JSON.object(Data($0.utf8)) } ?? [:]
        switch frame.event {
        case "meta": return start(data)
        case "delta": return text(data["delta"] as? String ?? "")
        case "final": return finish(data)
        case "error": return error(data)
        default: return [frame]
        }
    }

    private mutating func start(_ meta: [String: Any]) -> [SSEFrame] {
        messageID = meta["message_id"] as? String ?? UUID().uuidString.lowercased()
        model = meta["model"] as? String ?? "local"
        switch dialect {
        case "openai-chat": return [chunk(["role": "assistant", "content": ""], finish: nil)]
        case "openai-responses":
            return [numbered("response.created", ["response": ["id": "resp_\(messageID)", "status": "in_progress", "model": model]]),
                    numbered("response.output_item.added", ["output_index": 0, "item": ["id": "msg_\(messageID)", "type": "message", "role": "assistant"]]),
                    numbered("response.content_part.added", ["item_id": "msg_\(messageID)", "output_index": 0, "content_index": 0])]
        case "anthropic":
            return [event("message_start", ["type": "message_start", "message": [
                        "id": "msg_\(messageID)", "type": "message", "role": "assistant", "content": [Any](), "model": model,
                        "usage": ["input_tokens": inputTokens, "output_tokens": 1]]]),
                    event("content_block_start", ["type": "content_block_start", "index": 0, "content_block": ["type": "text", "text": ""]])]
        default:
            return [part(["type": "start", "messageId": messageID]), part(["type": "start-step"]), part(["type": "text-start", "id": "t1"])]
        }
    }

    private mutating func text(_ piece: String) -> [SSEFrame] {
        switch dialect {
        case "openai-chat": return [chunk(["content": piece], finish: nil)]
        case "openai-responses":
            return [numbered("response.output_text.delta", ["item_id": "msg_\(messageID)", "output_index": 0, "content_index": 0, "delta": piece])]
        case "anthropic":
            let frame = event("content_block_delta", ["type": "content_block_delta", "index": 0, "delta": ["type": "text_delta", "text": piece]])
            guard faults.contains(.stopBeforeLastDelta) else { return [frame] }
            defer { heldDelta = frame }
            return heldDelta.map { [$0] } ?? []
        default: return [part(["type": "text-delta", "id": "t1", "delta": piece])]
        }
    }

    private mutating func finish(_ final: [String: Any]) -> [SSEFrame] {
        let usage = final["usage"] as? [String: Any]
        let input = usage?["prompt_tokens"] as? Int ?? 0, output = usage?["completion_tokens"] as? Int ?? 0
        switch dialect {
        case "openai-chat":
            let counts: [String: Any] = faults.contains(.usageAsStrings)
                ? ["prompt_tokens": String(input), "completion_tokens": String(output), "total_tokens": String(input + output)]
                : ["prompt_tokens": input, "completion_tokens": output, "total_tokens": input + output]
            var frames = [chunk([:], finish: final["finish_reason"] as? String ?? "stop"), openAI(["choices": [Any](), "usage": counts])]
            if !faults.contains(.doneMissing) { frames.append(SSEFrame(data: "[DONE]")) }
            return frames
        case "openai-responses":
            // The fault: one number skipped before the end.
            if faults.contains(.sequenceGap) { sequence += 1 }
            return [numbered("response.output_text.done", ["item_id": "msg_\(messageID)", "output_index": 0, "content_index": 0,
                                                           "text": final["content"] as? String ?? ""]),
                    numbered("response.completed", ["response": ["id": "resp_\(messageID)", "status": "completed", "model": model,
                                                                 "usage": ["input_tokens": input, "output_tokens": output, "total_tokens": input + output]]])]
        case "anthropic":
            var frames = [event("content_block_stop", ["type": "content_block_stop", "index": 0]),
                          event("message_delta", ["type": "message_delta", "delta": ["stop_reason": "end_turn", "stop_sequence": NSNull()],
                                                  "usage": ["output_tokens": output]]),
                          event("message_stop", ["type": "message_stop"])]
            if let held = heldDelta { frames.append(held); heldDelta = nil }
            return frames
        default:
            var frames = [part(["type": "text-end", "id": "t1"]), part(["type": "finish-step"]),
                          part(["type": "finish", "finishReason": final["finish_reason"] as? String ?? "stop"])]
            if faults.contains(.textAfterFinish) { frames.append(part(["type": "text-delta", "id": "t1", "delta": " (one more thing)"])) }
            return frames + [SSEFrame(data: "[DONE]")]
        }
    }

    /// An error after the stream began, in the dialect's shape.
    private mutating func error(_ body: [String: Any]) -> [SSEFrame] {
        let message = body["message"] as? String ?? "error", code = body["code"] as? String ?? "internal_error"
        switch dialect {
        case "openai-chat": return [openAI(["error": ["message": message, "type": "server_error", "code": code]])]
        case "openai-responses": return [numbered("error", ["code": code, "message": message, "param": NSNull()])]
        case "anthropic": return [event("error", ["type": "error", "error": ["type": "api_error", "message": message]])]
        default: return [part(["type": "error", "errorText": message])]
        }
    }

    private func chunk(_ delta: [String: Any], finish: String?) -> SSEFrame {
        openAI(["choices": [["index": 0, "delta": delta, "finish_reason": finish.map { $0 as Any } ?? NSNull()]]])
    }

    private func openAI(_ fields: [String: Any]) -> SSEFrame {
        var chunk: [String: Any] = ["id": "chatcmpl-\(messageID)", "object": "chat.completion.chunk", "created": Int(Date().timeIntervalSince1970), "model": model]
        chunk.merge(fields) { $1 }
        return SSEFrame(data: JSON.string(chunk))
    }

    private mutating func numbered(_ type: String, _ fields: [String: Any]) -> SSEFrame {
        var data = fields
        data["type"] = type
        data["sequence_number"] = sequence
        sequence += 1
        return event(type, data)
    }

    private func event(_ name: String, _ data: [String: Any]) -> SSEFrame { SSEFrame(event: name, data: JSON.string(data)) }
    private func part(_ data: [String: Any]) -> SSEFrame { SSEFrame(data: JSON.string(data)) }
}
