/** What a running turn reports; the transport maps these to wire events. */
export type TurnEvent =
  | { type: 'token'; text: string }
  | { type: 'tool_call'; name: string; arguments: string }
  | { type: 'tool_result'; name: string; isError: boolean; result: string }
  | { type: 'approval_required'; toolName: string; description?: string };
