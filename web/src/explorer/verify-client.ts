import type { AuditProgress, EpochAudit } from '@fairstream/cli/verify';
import type { VerifyMessage, VerifyRequest } from './verify.worker.ts';

export interface Verification {
  result: Promise<EpochAudit[]>;
  /** Stops the worker; `result` then rejects with an AbortError. */
  cancel(): void;
}

/** Starts verifying an epoch in a Web Worker (loaded only now: none of this is in the app's first load). */
export function startVerification(
  request: VerifyRequest,
  onProgress: (progress: AuditProgress) => void,
): Verification {
  const worker = new Worker(new URL('./verify.worker.ts', import.meta.url), {
    type: 'module',
    name: 'verify',
  });
  let reject: (error: Error) => void = () => {};
  const result = new Promise<EpochAudit[]>((resolve, fail) => {
    reject = fail;
    worker.onmessage = (event: MessageEvent<VerifyMessage>) => {
      const message = event.data;
      if (message.type === 'progress') onProgress(message.progress);
      else {
        worker.terminate();
        if (message.type === 'done') resolve(message.epochs);
        else fail(new Error(message.message));
      }
    };
    worker.onerror = (event) => {
      worker.terminate();
      fail(new Error(event.message || 'The verification could not start in this browser.'));
    };
  });
  worker.postMessage(request);
  return {
    result,
    cancel: () => {
      worker.terminate();
      reject(new DOMException('Verification stopped', 'AbortError'));
    },
  };
}
