/** Idiomatic JavaScript the engine learns common continuations from (written for Pairpad). */
export const JAVASCRIPT_CORPUS = String.raw`
import fs from 'node:fs';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
const assert = require('node:assert');

export default class Store {
  constructor(options = {}) {
    this.options = options;
    this.items = new Map();
  }

  get(key) {
    return this.items.get(key);
  }

  set(key, value) {
    this.items.set(key, value);
    return this;
  }
}

export async function loadJson(file) {
  const text = await readFile(path.join(process.cwd(), file), 'utf8');
  return JSON.parse(text);
}

function main() {
  for (let i = 0; i < list.length; i++) {
    console.log(list[i]);
  }
  for (const [key, value] of Object.entries(object)) {
    result.push(key, value);
  }
  if (typeof value === 'undefined') {
    throw new TypeError('value is required');
  }
  try {
    const result = await fetch(url);
  } catch (error) {
    console.error(error);
  }
  const names = items.map((item) => item.name).filter(Boolean);
  module.exports = { main };
  return Object.keys(options).length > 0;
}
`;

/** Idiomatic TypeScript the engine learns common continuations from (written for Pairpad). */
export const TYPESCRIPT_CORPUS = String.raw`
import type { Options } from './options.ts';

export interface Result<T> {
  value: T | undefined;
  error?: Error;
}

export type Handler = (event: Event) => void;

export function createStore<T>(initial: T): { get(): T; set(value: T): void } {
  let current: T = initial;
  return {
    get(): T {
      return current;
    },
    set(value: T): void {
      current = value;
    },
  };
}

export class Queue<T> {
  private readonly items: T[] = [];

  constructor(private readonly options: Options) {}

  push(item: T): void {
    this.items.push(item);
  }

  get length(): number {
    return this.items.length;
  }
}

export async function run(args: string[]): Promise<number> {
  const map = new Map<string, number>();
  for (const arg of args) {
    map.set(arg, (map.get(arg) ?? 0) + 1);
  }
  if (args.length === 0) {
    throw new Error('no arguments');
  }
  return Promise.resolve(0);
}
`;
