/** What a running turn reports; the transport maps these to wire events. */
export type TurnEvent =
  | { type: 'token'; text: string }
  | { type: 'tool_call'; name: string; arguments: string }
  | { type: 'tool_result'; name: string; isError: boolean; result: string }
  | { type: 'approval_required'; toolName: string; description?: string }
  | { type: 'interaction_required'; interactionId: string; kind: string; spec: object; reason: string }
  | { type: 'otp_verification_required'; toolName: string; authLevel: string; channels: Array<'email' | 'sms'> }
  | { type: 'otp_sent'; channel: 'email' | 'sms'; maskedDestination: string };
