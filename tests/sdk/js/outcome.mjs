// What an SDK call came to: `{ ok: value }`, or the parts of the error a test asserts on
// (status, Clerk codes and parameters, long messages, trace id, Retry-After).
export async function outcome(promise) {
  try {
    return { ok: await promise };
  } catch (error) {
    return {
      status: error.status ?? null,
      codes: (error.errors ?? []).map((e) => e.code),
      params: (error.errors ?? []).map((e) => e.meta?.paramName ?? null),
      longMessages: (error.errors ?? []).map((e) => e.longMessage),
      traceId: error.clerkTraceId ?? null,
      retryAfter: error.retryAfter ?? null,
      message: String(error.message ?? error),
    };
  }
}
