import type { Session } from 'electron';

/**
 * Deny by default (Electron security checklist §5): the dashboard needs no camera, microphone,
 * notifications, geolocation, clipboard reads, HID/serial/USB devices, or anything else a page
 * can ask Chromium for. Requests are refused and permission checks answer false.
 */
export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}
