/** Worker-thread entry (piscina): prepares one batch of messages. */
import { prepareBatch } from './prepare.js';
import type { MessageInput, PrepareOptions } from './records.js';

export default function run(task: { inputs: MessageInput[]; options: PrepareOptions }) {
  return prepareBatch(task.inputs, task.options);
}
