export { AuthGate, adminRefusal, verificationRefusal, type AuthGateOptions } from './auth-gate.js';
export { EmailOtpSender, type EmailSenderOptions } from './email-sender.js';
export { maskEmail } from './mask.js';
export type { OtpSender } from './otp-sender.js';
export { NO_VERIFICATION_MESSAGE, OTP_MAX_ATTEMPTS, OTP_TTL_MS, OtpService, type OtpServiceOptions, type OtpStartResult, type OtpVerifyResult } from './otp-service.js';
export { MemoryOtpStore, type OtpChallenge, type OtpStore } from './otp-store.js';
export { otpStoreForStorage } from './otp-stores-for-storage.js';
