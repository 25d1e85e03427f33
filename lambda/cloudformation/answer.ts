/**
 * The one answer to a CloudFormation request, built to fit: the whole body must be at most 4096 bytes
 * or CloudFormation rejects it ("Response object is too long") and the stack fails. `Reason` is cut to
 * fit; `PhysicalResourceId` never is; `Data` is expected to be sized by its producer, and is trimmed as a
 * last resort so the answer still goes out.
 */
import type { CloudFormationRequest } from './request';

export const MAX_ANSWER_BYTES = 4096;
const MAX_PHYSICAL_ID_BYTES = 1024;

export type AnswerStatus = 'SUCCESS' | 'FAILED';

export interface Answer {
  Status: AnswerStatus;
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  NoEcho?: boolean;
  Data?: Record<string, string>;
}

export interface AnswerInput {
  status: AnswerStatus;
  physicalResourceId: string;
  reason?: string;
  data?: Record<string, string>;
}

const ELLIPSIS = ' [… cut to fit the 4096-byte response limit]';

type Envelope = Pick<CloudFormationRequest, 'StackId' | 'RequestId' | 'LogicalResourceId'>;

/**
 * The bytes the answer takes as given, before anything is cut: a producer of `Data` that must not be cut (a
 * connection string cut short is worse than none) checks it against {@link MAX_ANSWER_BYTES}.
 */
export function answerBytes(request: Envelope, input: AnswerInput): number {
  return Buffer.byteLength(JSON.stringify(answerOf(request, input)));
}

function answerOf(request: Envelope, input: AnswerInput): Answer {
  const answer: Answer = {
    Status: input.status,
    PhysicalResourceId: input.physicalResourceId,
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
  };
  if (input.reason !== undefined || input.status === 'FAILED')
    answer.Reason = input.reason || 'Failed without a reason (a bug: please report it)';
  if (input.data && Object.keys(input.data).length > 0) answer.Data = { ...input.data };
  return answer;
}

/** Builds the answer body (the exact bytes to PUT) for a request. */
export function renderAnswer(request: Envelope, input: AnswerInput): string {
  if (!input.physicalResourceId || Buffer.byteLength(input.physicalResourceId) > MAX_PHYSICAL_ID_BYTES) {
    throw new RangeError('PhysicalResourceId must be 1 to 1024 bytes');
  }
  const answer = answerOf(request, input);
  let body = JSON.stringify(answer);
  if (Buffer.byteLength(body) <= MAX_ANSWER_BYTES) return body;

  // Reason first: it is prose, and its start says what matters.
  if (answer.Reason) {
    const over = Buffer.byteLength(body) - MAX_ANSWER_BYTES;
    answer.Reason = cutToBytes(answer.Reason, Math.max(0, jsonByteLength(answer.Reason) - over - jsonByteLength(ELLIPSIS)), ELLIPSIS);
    body = JSON.stringify(answer);
    if (Buffer.byteLength(body) <= MAX_ANSWER_BYTES) return body;
  }
  // Then the longest Data values, keeping every key (a missing key breaks Fn::GetAtt).
  if (answer.Data) {
    const keys = Object.keys(answer.Data).sort((a, b) => answer.Data![b].length - answer.Data![a].length);
    for (const key of keys) {
      const over = Buffer.byteLength(JSON.stringify(answer)) - MAX_ANSWER_BYTES;
      if (over <= 0) break;
      answer.Data[key] = cutToBytes(answer.Data[key], Math.max(0, jsonByteLength(answer.Data[key]) - over), '');
    }
    body = JSON.stringify(answer);
  }
  return body;
}

/** Bytes a string takes inside JSON (escapes included), without the quotes. */
function jsonByteLength(s: string): number {
  return Buffer.byteLength(JSON.stringify(s)) - 2;
}

/** The longest prefix whose JSON form fits `maxJsonBytes`, plus `suffix`; never splits a character. */
function cutToBytes(s: string, maxJsonBytes: number, suffix: string): string {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (jsonByteLength(s.slice(0, mid)) <= maxJsonBytes) lo = mid;
    else hi = mid - 1;
  }
  let cut = s.slice(0, lo);
  // Do not leave half a surrogate pair behind.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut + suffix;
}
