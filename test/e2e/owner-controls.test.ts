import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchRoom, startTestApp, type TestApp } from './support/app.ts';
import { joinRoom, launchBrowser, newPerson, placeCursorAtLineEnd, readEditorText, waitUntilConnected, type Person } from './support/browser.ts';

// The room owner's controls in the web client (issue 18): the creator's
// browser keeps the owner key and shows the controls; everyone sees the lock.
const eventually = { timeout: 15_000, interval: 50 };

let app: TestApp;
let browser: Browser;
let owner: Person;
let guest: Person;
let room: { roomId: string; viewId: string; links: { owner: string } };

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  const response = await fetch(`${app.baseUrl}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: 'print("hi")\n', title: 'Interview' }),
  });
  room = (await response.json()) as typeof room;
  [owner, guest] = await Promise.all([newPerson(browser), newPerson(browser)]);
  await joinRoom(owner, room.links.owner, 'Olga');
  await joinRoom(guest, `${app.baseUrl}/r/${room.roomId}`, 'Gus');
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('owner controls in the web client', () => {
  it('show only in the browser that holds the owner key, which leaves the address bar', async () => {
    expect(await owner.page.locator('.owner-button').count()).toBe(1);
    expect(await owner.page.locator('.badge-owner').count()).toBe(1);
    expect(await guest.page.locator('.owner-button').count()).toBe(0);
    // Everyone sees who owns the room (the server stamps the owner's awareness).
    await guest.page.locator('.presence-peer', { hasText: 'Olga' }).locator('.presence-owner').waitFor();
    expect(await guest.page.locator('.presence-owner').count()).toBe(1);
    expect(new URL(owner.page.url()).hash).toBe('');
    // Kept for this browser: a reload without the fragment is still the owner's.
    await owner.page.reload();
    await owner.page.locator('.connection-status[data-state="connected"]').waitFor();
    expect(await owner.page.locator('.owner-button').count()).toBe(1);
  });

  it('lock: everyone sees it, the guest\'s editor is read-only, the owner keeps editing', async () => {
    await owner.page.locator('.owner-button').click();
    await owner.page.locator('.owner-lock').check();
    await owner.page.getByRole('button', { name: 'Done' }).click();
    await guest.page.locator('.badge-locked:not([hidden])').waitFor();
    await owner.page.locator('.badge-locked:not([hidden])').waitFor();
    await expect.poll(() => guest.page.locator('.cm-content').getAttribute('contenteditable'), eventually).toBe('false');

    await placeCursorAtLineEnd(owner.page, 1);
    await owner.page.keyboard.type('  # owner');
    await expect.poll(() => readEditorText(guest.page), eventually).toBe('print("hi")  # owner\n');
    await expect.poll(async () => (await fetchRoom(app.baseUrl, room.roomId)).code, eventually).toBe('print("hi")  # owner\n');

    await owner.page.locator('.owner-button').click();
    await owner.page.locator('.owner-lock').uncheck();
    await owner.page.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => guest.page.locator('.badge-locked').isHidden(), eventually).toBe(true);
    await expect.poll(() => guest.page.locator('.cm-content').getAttribute('contenteditable'), eventually).toBe('true');
  });

  it('keeps private notes that the guest never receives', async () => {
    await owner.page.locator('.owner-button').click();
    await owner.page.locator('.owner-notes').fill('Gus: strong on recursion <b>ok</b>');
    await owner.page.locator('.owner-notes-save').click();
    await owner.page.getByRole('button', { name: 'Done' }).click();
    const ownerKey = new URL(room.links.owner).hash.slice('#owner='.length);
    const readNotes = async () => (await fetch(`${app.baseUrl}/api/rooms/${room.roomId}/notes`, { headers: { authorization: `Bearer ${ownerKey}` } })).text();
    await expect.poll(readNotes, eventually).toBe('Gus: strong on recursion <b>ok</b>');
    expect(await guest.page.content()).not.toContain('strong on recursion');
  });

  it('new links, once confirmed: the owner moves to the new edit link (still the owner), the guest is told', async () => {
    const before = owner.page.url();
    await owner.page.locator('.owner-button').click();
    await owner.page.locator('.owner-rotate').click();
    await owner.page.locator('.confirm-dialog').getByRole('button', { name: 'Make new links' }).click();
    await owner.page.waitForURL((url) => url.pathname.startsWith('/r/') && url.href !== before);
    await owner.page.locator('.connection-status[data-state="connected"]').waitFor();
    expect(await owner.page.locator('.owner-button').count()).toBe(1);
    await guest.page.getByText('made new links').first().waitFor();
    const newId = new URL(owner.page.url()).pathname.slice('/r/'.length);
    expect((await fetch(`${app.baseUrl}/api/rooms/${room.roomId}`)).status).toBe(404);
    expect((await fetch(`${app.baseUrl}/api/rooms/${newId}`)).status).toBe(200);
    room = { ...room, roomId: newId };
    // The guest is given the new link and comes back.
    await guest.page.goto(`${app.baseUrl}/r/${newId}`);
    await waitUntilConnected(guest.page);
  });

  it('delete, once confirmed, closes the guest\'s room with a message and takes the owner to the lobby', async () => {
    await owner.page.locator('.owner-button').click();
    await owner.page.locator('.owner-delete').click();
    await owner.page.locator('.confirm-dialog').getByRole('button', { name: 'Delete room' }).click();
    await owner.page.waitForURL(`${app.baseUrl}/`);
    await guest.page.getByText('deleted the room').first().waitFor();
    expect((await fetch(`${app.baseUrl}/api/rooms/${room.roomId}`)).status).toBe(404);
    expect(owner.errors).toEqual([]);
    expect(guest.errors).toEqual([]);
  });
});
