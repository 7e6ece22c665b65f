"""A readable device name from a user agent, for the "your devices" list."""

_PLATFORMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "Mac"),
    ("Macintosh", "Mac"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)
# Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)


def device_name_from_user_agent(user_agent: str) -> str:
    if not user_agent:
        return "Unknown device"
    platform = next((name for marker, name in _PLATFORMS if marker in user_agent), None)
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    if platform and browser:
        return f"{browser} on {platform}"
    if platform or browser:
        return platform or browser
    # An app's own agent, such as "carbon_site-android/1.0": its first word says enough.
    return user_agent.split()[0][:150]
