#!/bin/sh
# Starts Chromium in kiosk mode on lockerd's screen page, once lockerd serves it.
# Run by systemd/lockerd-screen.service as the kiosk's desktop user (a member of group lockerd,
# so `lockerctl screen url` may ask the daemon where the page is).
set -eu

LOCKERCTL=${LOCKERCTL:-/opt/lockerd/scripts/lockerctl.mjs}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

# Wait for lockerd: its control socket answers, then its page does. Chromium started on a page
# that is not there yet would show an error page that never retries; ours reconnects by itself.
url=''
for _ in $(seq 300); do
  url=$("$LOCKERCTL" screen url 2>/dev/null | head -n 1) || url=''
  if [ -n "$url" ] && curl -fsS -o /dev/null --max-time 2 "$url"; then break; fi
  url=''
  sleep 1
done
if [ -z "$url" ]; then
  echo "lockerd-screen: lockerd's screen page did not answer within 5 minutes (lockerctl screen url; is screen.enabled true?)" >&2
  exit 1
fi

# The pointer hidden when a mouse is plugged in (the page also hides it in kiosk mode).
if command -v unclutter >/dev/null 2>&1; then unclutter -idle 0 -root & fi

exec "$CHROMIUM" \
  --kiosk "${url}?kiosk=1" \
  --noerrdialogs \
  --disable-pinch \
  --overscroll-history-navigation=0 \
  --disable-features=Translate,TranslateUI \
  --disable-session-crashed-bubble \
  --incognito \
  --no-first-run \
  --disable-background-networking \
  --disable-component-update \
  --disable-sync \
  --check-for-update-interval=31536000 \
  --autoplay-policy=no-user-gesture-required
