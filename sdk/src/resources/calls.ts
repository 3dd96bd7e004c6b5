// Placeholder owned by the paid-calls work: the SDK core wires `client.call` to this class.
export class Calls {
  constructor(protected readonly client: unknown) {}
}
