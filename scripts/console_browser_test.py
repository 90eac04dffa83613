#!/usr/bin/env python3
"""The console in a real browser: headless Chromium driven by selenium, once in English and once in Simplified
Chinese (chosen with the page's language switcher).

Starts `posguard serve --demo` on a free port with a temporary data directory and, through the API as the demo
provider admin, prepares what the pages will show: a merchant and a store whose names hold markup, quotes and
Chinese text, a console user per language, and per language a terminal to lock and a terminal whose agent (P-256
signatures made with the `cryptography` package) raises an alert. Then, in each language, a person at the
browser:

1. sets up an authenticator on /account (the key read from the page, the code computed by pyotp), signs out, and
   signs in at / with the password and then the code;
2. finds the terminal with the search form on /terminals, opens it, locks it, and sees the lock command listed;
3. watches /alerts while the agent sends a signed batch with a tamper event, and sees the new alert's row appear
   without a reload (server-sent events);
4. opens that alert, acknowledges it, opens an incident from it (landing on the incident's page), and resolves it
   as a false positive with a reason;
5. meets the console's defences: a form posted without its CSRF token is refused with 403, the names with markup
   are shown as text, and the browser logs no Content Security Policy violation;
6. and every main page is photographed at desktop (1366×900) and phone (390×844) width, full length, into the
   screenshot directory, with notes on what the pages show that a reader would notice (horizontal overflow on
   the phone, English left on Chinese pages, browser console errors) written to notes.txt beside them.

Uses explicit waits only; a failed wait prints what the page showed. Exits non-zero on the first surprise of
each language (after trying the other).

Usage: scripts/console_browser_test.py PATH_TO_POSGUARD [--screenshots DIR] [--chromium PATH] [--chromedriver PATH]
"""
import argparse, base64, json, os, re, shutil, subprocess, sys, tempfile, time, traceback, urllib.error
import urllib.request

import pyotp
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from checks import Checks, call_api, free_port

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("posguard", help="path of the posguard binary")
parser.add_argument("--screenshots", help="directory for the screenshots (default: a temporary one, removed after)")
parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser"))
parser.add_argument("--chromedriver", default=shutil.which("chromedriver"))
args = parser.parse_args()

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
ADMIN = ("admin@harbour.demo", "lighthouse-keeper-42")
DESKTOP, PHONE = (1366, 900), (390, 844)
LANGUAGES = ["en", "zh-Hans"]
# What a careless page would run or mis-render: markup, both quotes, an ampersand, Chinese.
MARKUP = "<script>alert(1)</script>"
MERCHANT_NAME = f"{MARKUP} \"Quay\" & 'Side' 港湾商户"
STORE_NAME = f"{MARKUP} 外滩 \"Bund\" & 'Tea' 门店"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
UUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
WAIT = 20

check = Checks()
notes = []
keep_screens = args.screenshots is not None
screens = args.screenshots or tempfile.mkdtemp(prefix="posguard-screens-")
os.makedirs(screens, exist_ok=True)
os.environ.setdefault("SE_OFFLINE", "true")  # selenium must not look for browsers or drivers on the network


def note(text):
    """Something a reader of the pages would notice, not a failure of the test."""
    notes.append(text)
    print(f"note: {text}")


# ---------------------------------------------------------------------------------------------------- the server

port = free_port()
base = f"http://127.0.0.1:{port}"
data_dir = tempfile.mkdtemp(prefix="posguard-browser-")
log_dir = tempfile.mkdtemp(prefix="posguard-browser-log-")
server_log = open(os.path.join(log_dir, "server.log"), "w")
server = subprocess.Popen([args.posguard, "serve", "--demo", "--port", str(port), "--iso8583-port", "0",
                           "--data-dir", data_dir], stdout=server_log, stderr=subprocess.STDOUT)


def wait_ready(seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if server.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as answer:
                if answer.status == 200:
                    return True
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)  # polling a server that is starting: nothing to wait on but the clock
    return False


def call(method, path, body=None, token=None):
    return call_api(base, method, path, body, token)


def expect(status, method, path, body=None, token=None):
    got, answer = call(method, path, body, token)
    if got != status:
        sent = json.dumps(body, ensure_ascii=False) if body is not None else ""
        raise SystemExit(f"{method} {path} {sent} answered {got}, not {status}: {answer}")
    return answer


class Agent:
    """A terminal's PosGuard agent: enrolled with its own P-256 key, signing each request as the protocol says."""

    def __init__(self, terminal, code):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.terminal = terminal
        public = self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                    serialization.PublicFormat.UncompressedPoint)
        expect(201, "POST", "/agent/v1/enroll", {"code": code, "public_key": base64.b64encode(public).decode(),
                                                 "serial": terminal["serial"], "tid": terminal["tid"]})
        self.seq = 0

    def send(self, events):
        batch = []
        for event in events:
            self.seq += 1
            batch.append({"seq": self.seq, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **event})
        data = json.dumps({"events": batch}).encode()
        timestamp = str(int(time.time()))
        r, s = decode_dss_signature(self.key.sign(f"POST\n/agent/v1/events\n{timestamp}\n".encode() + data,
                                                  ec.ECDSA(hashes.SHA256())))
        s = min(s, P256_ORDER - s)  # the protocol accepts low-s signatures only
        request = urllib.request.Request(base + "/agent/v1/events", data=data, method="POST", headers={
            "Content-Type": "application/json", "PosGuard-Terminal": self.terminal["id"],
            "PosGuard-Timestamp": timestamp,
            "PosGuard-Signature": base64.b64encode(r.to_bytes(32, "big") + s.to_bytes(32, "big")).decode()})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status


def prepare(token):
    """What the pages will show, made through the API as the provider admin."""
    model = expect(200, "GET", "/api/v1/stores?limit=1", token=token)["items"][0]
    world = {"users": {}, "lock": {}, "agent": {}}
    for n, language in enumerate(LANGUAGES):
        email = f"browser.{language.lower()}@harbour.demo"
        password = f"console-{language.lower()}-harbour-lights-{n}"
        name = f"Console Tester ({language})" if language == "en" else f"控制台测试员 {MARKUP} \"Ops\" & 'Night'"
        expect(201, "POST", "/api/v1/users",
               {"email": email, "name": name, "role": "provider_admin", "password": password}, token)
        world["users"][language] = (email, password, name)
    merchant = expect(201, "POST", "/api/v1/merchants",
                      {"name": MERCHANT_NAME, "security_contact_email": "security@quay.demo"}, token)
    store = expect(201, "POST", "/api/v1/stores", {
        "merchant_id": merchant["id"], "code": "BRW-1", "name": STORE_NAME,
        "address": "外滩 18 号 \"<b>\"", "city": "上海", "country": model["country"],
        "time_zone": model["time_zone"], "business_hours": model["business_hours"],
        "geofence": model["geofence"]}, token)
    terminals = {}
    for n, language in enumerate(LANGUAGES):
        for purpose in ("lock", "agent"):
            tid = f"BRW{n}{purpose[0].upper()}001"
            terminals[(purpose, language)] = expect(201, "POST", "/api/v1/terminals", {
                "store_id": store["id"], "make": "Ingenico", "model": "Move/5000", "serial": f"SN-{tid}",
                "tid": tid, "mid": "BROWSERCHECK001"}, token)
    world["merchant"], world["store"] = merchant, store
    for (purpose, language), terminal in terminals.items():
        expect(200, "POST", f"/api/v1/terminals/{terminal['id']}/transitions",
               {"to": "active", "reason": "installed for the browser test"}, token)
        if purpose == "agent":
            code = expect(201, "POST", f"/api/v1/terminals/{terminal['id']}/enrollment-code", token=token)["code"]
            terminal = Agent(terminal, code)
        world[purpose][language] = terminal
    return world


# --------------------------------------------------------------------------------------------------- the browser

def open_browser():
    options = Options()
    options.binary_location = args.chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=en-US",
                 f"--window-size={DESKTOP[0]},{DESKTOP[1]}", "--hide-scrollbars"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=args.chromedriver), options=options)
    driver.set_page_load_timeout(60)
    return driver


def shown(driver):
    """What the page showed, for a failure's message."""
    try:
        body = driver.find_element(By.TAG_NAME, "body").text
    except WebDriverException:
        body = "(no body)"
    return f"URL {driver.current_url}\ntitle {driver.title!r}\n--- page text ---\n{body[:3000]}\n---"


def wait(driver, condition, what, seconds=WAIT):
    try:
        return WebDriverWait(driver, seconds).until(condition)
    except TimeoutException:
        raise AssertionError(f"waited {seconds} s for {what}; the page showed:\n{shown(driver)}") from None


def replaced(element):
    """The condition that the page holding `element` has been replaced. Chromium sometimes answers a question
    about an element of the page just left with an inspector error rather than "stale": both mean it is gone."""
    def gone(_):
        try:
            element.is_enabled()
            return False
        except WebDriverException:
            return True
    return gone


def go(driver, path):
    driver.get(base + path)
    return wait(driver, EC.presence_of_element_located((By.TAG_NAME, "h1")), f"{path} to show its heading")


def submit(driver, form):
    """Submits `form` with its submit button, and waits for the next page to replace this one."""
    html = driver.find_element(By.TAG_NAME, "html")
    action = form.get_attribute("action")
    form.find_element(By.CSS_SELECTOR, "button[type=submit], button:not([type])").click()
    wait(driver, replaced(html), f"the form to {action} to load a page")
    wait(driver, EC.presence_of_element_located((By.TAG_NAME, "h1")), "the answer's heading")


def fill(driver, selector, text):
    field = driver.find_element(By.CSS_SELECTOR, selector)
    field.clear()
    field.send_keys(text)
    return field


def signed_in(driver):
    return driver.find_elements(By.CSS_SELECTOR, "form[action='/sign-out']")


def has_cjk(text):
    return re.search(r"[\u3400-\u9fff]", text) is not None


class Session:
    """One language's run: its browser, its user, and what it found."""

    def __init__(self, language, world):
        self.language = language
        self.email, self.password, self.name = world["users"][language]
        self.lock_terminal = world["lock"][language]
        self.agent = world["agent"][language]
        self.world = world
        self.driver = open_browser()
        self.pages = {}
        self.english_seen = set()

    # ---- what every page is checked for

    def browser_log(self, where):
        """The browser console's messages since the last look: CSP violations fail, other errors are noted."""
        for entry in self.driver.get_log("browser"):
            message = entry.get("message", "")
            if re.search(r"/sign-in - Failed to load resource: .* 401", message):
                continue  # the sign-in form asking for the code answers 401, as the API does
            if "Content Security Policy" in message or "Content-Security-Policy" in message:
                check(False, f"[{self.language}] no CSP violation on {where}: {message}")
            elif entry.get("level") == "SEVERE":
                note(f"[{self.language}] browser console error on {where}: {message}")

    def language_kept(self, where):
        lang = self.driver.find_element(By.TAG_NAME, "html").get_attribute("lang")
        check(lang == self.language, f"[{self.language}] {where} is served in {self.language} (html lang={lang!r})")

    def untranslated(self, where):
        """On Chinese pages: the interface's own words (headings, labels, buttons, navigation, table headers,
        hints) still in English."""
        if self.language == "en":
            return
        texts = self.driver.execute_script("""
            const out = [];
            for (const el of document.querySelectorAll(
                'h1, h2, h3, th, label, button, nav a, .hint, .empty, .notice p, dt, option, .skip, .live, .pager a')) {
              const text = (el.innerText || el.textContent || '').trim();
              if (text) out.push(text);
            }
            return out;""")
        data = {MERCHANT_NAME, STORE_NAME, self.name, "PosGuard", "English", "TID", "MID"}
        english = sorted({t for t in texts if re.search(r"[A-Za-z]{3,}", t) and not has_cjk(t)
                          and not any(d in t for d in data) and not re.fullmatch(r"[A-Z0-9]{8}", t)}
                         - self.english_seen)
        self.english_seen.update(english)
        if english:
            note(f"[{self.language}] English left on {where} (beyond what earlier pages showed): "
                 + " | ".join(english[:25]) + (f" … ({len(english)} in all)" if len(english) > 25 else ""))

    def overflow(self, where):
        """On the phone: anything reaching past the screen's right edge (outside the tables' own scrollers), and
        table cells too narrow for their words."""
        found = self.driver.execute_script("""
            const width = document.documentElement.clientWidth, out = [];
            for (const el of document.querySelectorAll('body *')) {
              const position = getComputedStyle(el).position;
              // A table scrolls inside its own box; what is positioned out of the flow escapes it.
              if (el.closest('.scroll') && position !== 'absolute' && position !== 'fixed') continue;
              // The menu scrolls sideways on a phone, inside its own box.
              if (el.closest('.top nav')) continue;
              const box = el.getBoundingClientRect();
              if (box.width > 0 && box.right > width + 1) {
                const classes = typeof el.className === 'string' ? el.className.trim().split(/\\s+/) : [];
                out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                  classes.filter(c => c).map(c => '.' + c).join('') + ' (right edge ' + Math.round(box.right) + ' px)');
              }
            }
            return [document.documentElement.scrollWidth, width, out.slice(0, 8)];""")
        scroll_width, width, elements = found
        if scroll_width > width + 1 or elements:
            note(f"[{self.language}] {where} at {PHONE[0]} px is wider than the screen "
                 f"(page {scroll_width} px for {width} px): " + ", ".join(elements))
        # Table cells squeezed so narrow that a word is broken over many lines (Chinese, which may break between
        # any two characters, then reads one character per line).
        crushed = self.driver.execute_script("""
            const out = new Set();
            for (const cell of document.querySelectorAll('th, td')) {
              const text = cell.innerText.trim(), style = getComputedStyle(cell);
              const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
              const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
              const word = text.split(/\\s+/).reduce((a, b) => a.length >= b.length ? a : b, '');
              const range = document.createRange();
              range.selectNodeContents(cell);
              if (text && word.length >= 3 && inner < 3.2 * parseFloat(style.fontSize) &&
                  range.getBoundingClientRect().height > 2.5 * line)
                out.add(text.replace(/\\s+/g, ' ').slice(0, 30) + ' (' + Math.round(inner) + ' px wide)');
            }
            return [...out].slice(0, 10);""")
        if crushed:
            note(f"[{self.language}] {where} at {PHONE[0]} px squeezes table cells into a column a few characters "
                 f"wide: " + " | ".join(crushed))

    def photograph(self, key, path):
        """Opens `path` and saves it full length at desktop and phone width, checking what every page is checked
        for."""
        go(self.driver, path)
        self.pages[key] = self.driver.current_url
        self.language_kept(key)
        self.untranslated(key)
        for label, (width, height) in (("desktop", DESKTOP), ("phone", PHONE)):
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": height, "deviceScaleFactor": 1, "mobile": label == "phone"})
            wait(self.driver, lambda d: d.execute_script("return document.documentElement.clientWidth") <= width,
                 f"the page to take the {label} width")
            if label == "phone":
                self.overflow(key)
            size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
            shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": max(width, size["width"]),
                         "height": min(max(height, size["height"]), 8000), "scale": 1}})
            name = f"{self.language}-{label}-{len(self.pages):02d}-{key}.png"
            with open(os.path.join(screens, name), "wb") as file:
                file.write(base64.b64decode(shot["data"]))
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        self.browser_log(key)

    # ---- 1. the authenticator, and signing in with it

    def choose_language(self):
        go(self.driver, "/")
        link = self.driver.find_element(By.CSS_SELECTOR, f".languages a[hreflang='{self.language}']")
        check(link.get_attribute("href").startswith(f"{base}/language/{self.language}?back="),
              f"[{self.language}] the switcher links to /language/{self.language}?back=…")
        html = self.driver.find_element(By.TAG_NAME, "html")
        link.click()
        wait(self.driver, replaced(html), "the language switch to load the page again")
        wait(self.driver, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == self.language,
             f"the page to come back in {self.language}")
        check(self.driver.current_url == base + "/", f"[{self.language}] the switcher came back to the same page")

    def sign_in(self, code=None):
        go(self.driver, "/")
        fill(self.driver, "#email", self.email)
        fill(self.driver, "#password", self.password)
        submit(self.driver, self.driver.find_element(By.CSS_SELECTOR, "form[action='/sign-in']"))
        if code is not None:
            check(not signed_in(self.driver) and self.driver.find_elements(By.ID, "totp"),
                  f"[{self.language}] after the password, the sign-in form asks for the authenticator code")
            check(self.driver.find_element(By.ID, "email").get_attribute("value") == self.email,
                  f"[{self.language}] the form keeps the email while it asks for the code")
            self.photograph_current("sign-in-code")
            fill(self.driver, "#password", self.password)
            fill(self.driver, "#totp", code)
            submit(self.driver, self.driver.find_element(By.CSS_SELECTOR, "form[action='/sign-in']"))
        wait(self.driver, lambda d: signed_in(d), "the overview after signing in")

    def authenticator(self):
        self.choose_language()
        self.sign_in()
        check(self.driver.current_url == base + "/", f"[{self.language}] signing in lands on the overview")
        go(self.driver, "/account")
        fill(self.driver, "#totp-password", self.password)
        submit(self.driver, self.driver.find_element(By.CSS_SELECTOR, "form[action='/account/totp']"))
        key = wait(self.driver, EC.presence_of_element_located((By.CSS_SELECTOR, "code.secret")),
                   "the authenticator key on the enrolment page").text.strip()
        check(re.fullmatch(r"[A-Z2-7]{16,}", key) is not None, f"[{self.language}] the page shows a base32 key")
        qr = self.driver.find_elements(By.CSS_SELECTOR, ".qr svg")
        if not qr:
            note(f"[{self.language}] the authenticator enrolment page shows no QR code")
        self.photograph_current("totp-enrolment")
        totp = pyotp.TOTP(key)
        confirmed_at = time.time()
        fill(self.driver, "#confirm-totp", totp.at(confirmed_at))
        submit(self.driver, self.driver.find_element(By.CSS_SELECTOR, "form[action='/account/totp/confirm']"))
        check(self.driver.find_elements(By.CSS_SELECTOR, ".notice.ok"),
              f"[{self.language}] the account page confirms the authenticator is set up:\n{shown(self.driver)}")
        status, me = call("POST", "/api/v1/session", {"email": self.email, "password": self.password})
        check(status == 401 and me["type"].endswith("totp-required"),
              f"[{self.language}] the account now needs a code to sign in (API answered {status})")
        self.sign_out()
        self.photograph("signed-out", "/")
        # A code not used yet: the current one if the clock has moved to the next step, else the next step's,
        # which the server accepts inside its one-step tolerance.
        fresh = int(time.time() // 30) != int(confirmed_at // 30)
        self.sign_in(code=totp.now() if fresh else totp.at(confirmed_at + 30))
        check(self.driver.current_url == base + "/", f"[{self.language}] signed in with password and code")
        self.totp = totp

    def sign_out(self):
        submit(self.driver, self.driver.find_element(By.CSS_SELECTOR, "form[action='/sign-out']"))
        wait(self.driver, EC.presence_of_element_located((By.ID, "email")), "the sign-in form after signing out")
        check(not signed_in(self.driver), f"[{self.language}] signed out")

    def photograph_current(self, key):
        """Photographs the page on screen (a form's answer, which cannot be opened again by its address)."""
        path = self.driver.current_url[len(base):]
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": DESKTOP[0], "height": DESKTOP[1], "deviceScaleFactor": 1, "mobile": False})
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": DESKTOP[0], "height": min(max(DESKTOP[1], size["height"]), 8000),
                     "scale": 1}})
        with open(os.path.join(screens, f"{self.language}-desktop-{key}.png"), "wb") as file:
            file.write(base64.b64decode(shot["data"]))
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        self.untranslated(f"{key} ({path})")

    # ---- 2. finding a terminal and locking it

    def lock(self):
        tid = self.lock_terminal["tid"]
        go(self.driver, "/terminals")
        search = self.driver.find_element(By.CSS_SELECTOR, "form[action='/terminals'][method='get']")
        fill(self.driver, "#q", tid)
        submit(self.driver, search)
        check(f"q={tid}" in self.driver.current_url, f"[{self.language}] the search is in the address")
        links = [a for a in self.driver.find_elements(By.CSS_SELECTOR, "table a[href^='/terminals/']")]
        check([a.text for a in links] == [tid],
              f"[{self.language}] searching {tid} finds exactly that terminal (found {[a.text for a in links]})")
        html = self.driver.find_element(By.TAG_NAME, "html")
        links[0].click()
        wait(self.driver, replaced(html), "the terminal's page")
        wait(self.driver, EC.presence_of_element_located((By.TAG_NAME, "h1")), "the terminal page's heading")
        self.terminal_url = self.driver.current_url
        check(self.terminal_url == f"{base}/terminals/{self.lock_terminal['id']}" and tid in
              self.driver.find_element(By.TAG_NAME, "h1").text, f"[{self.language}] the terminal's page opened")
        check(STORE_NAME in self.driver.find_element(By.TAG_NAME, "main").text,
              f"[{self.language}] the terminal page shows the store's name as text")

        form = self.driver.find_element(By.CSS_SELECTOR, "form[action$='/lock']")
        label = form.find_element(By.CSS_SELECTOR, "button").text.strip()
        fill(self.driver, "#lock-message", "Locked by the browser test: 请致电门店 <b>bold?</b>")
        fill(self.driver, "#lock-reason", "browser test")
        check(not self.driver.execute_script("return arguments[0].checkValidity();", form),
              f"[{self.language}] the browser will not send the lock form until \"I am sure\" is ticked")
        form.find_element(By.CSS_SELECTOR, "input[name=confirm]").click()
        submit(self.driver, form)
        check(self.driver.current_url == self.terminal_url, f"[{self.language}] locking comes back to the terminal")
        commands = self.commands()
        check([c["type"] for c in commands] == ["lock"], f"[{self.language}] one lock command was issued ({commands})")
        cells = [td.text.strip() for td in self.driver.find_elements(By.CSS_SELECTOR, "main table td")]
        check(label in cells, f"[{self.language}] the page lists the command {label!r} (cells: {cells[:40]})")
        self.browser_log("the terminal page after locking")

    def commands(self):
        _, answer = call("GET", f"/api/v1/terminals/{self.lock_terminal['id']}/commands", token=admin_token)
        return answer if isinstance(answer, list) else (answer or {}).get("items", [])

    # ---- 3. an alert arriving live

    def live_alert(self):
        go(self.driver, "/alerts")
        table = self.driver.find_element(By.ID, "alerts")
        self.driver.execute_script("window.posguardUnreloaded = true;")
        wait(self.driver, EC.visibility_of_element_located((By.CSS_SELECTOR, "[data-live-status]")),
             "the alert list to say it is live (its event stream open)")
        terminal = self.agent.terminal
        status = self.agent.send([{"type": "heartbeat", "battery": 77},
                                  {"type": "tamper", "sensor": "case_open"}])
        check(status == 200, f"[{self.language}] the agent's signed batch is accepted ({status})")

        def raised(_):
            _, page = call("GET", f"/api/v1/alerts?terminal_id={terminal['id']}", token=admin_token)
            return [a for a in page.get("items", []) if a["rule"] == "tamper"]

        alerts = wait(self.driver, raised, "the tamper alert in the API", 30)
        self.alert = alerts[0]
        row = wait(self.driver, EC.presence_of_element_located((By.ID, f"alert-{self.alert['id']}")),
                   "the new alert's row in the table, without a reload", 30)
        check(self.driver.execute_script("return window.posguardUnreloaded === true;"),
              f"[{self.language}] the row arrived without the page loading again")
        check(table.find_element(By.CSS_SELECTOR, "tbody tr").get_attribute("id") == f"alert-{self.alert['id']}",
              f"[{self.language}] the new alert is the table's first row")
        check(row.find_element(By.TAG_NAME, "a").text.strip() == self.alert["message"],
              f"[{self.language}] the row shows the alert's message")
        if self.language != "en" and not has_cjk(row.text):
            note(f"[{self.language}] the live alert row is all English: {row.text!r}")
        self.browser_log("/alerts with the live row")
        html = self.driver.find_element(By.TAG_NAME, "html")
        row.find_element(By.TAG_NAME, "a").click()
        wait(self.driver, replaced(html), "the alert's page")
        wait(self.driver, EC.presence_of_element_located((By.TAG_NAME, "h1")), "the alert page's heading")
        self.alert_url = self.driver.current_url
        check(self.alert_url == f"{base}/alerts/{self.alert['id']}", f"[{self.language}] the row opens its alert")

    # ---- 4. working the alert

    def work_alert(self):
        alert_id = self.alert["id"]
        self.photograph_current("alert-open")
        submit(self.driver, self.driver.find_element(By.CSS_SELECTOR, "form[action$='/acknowledge']"))
        check(self.driver.current_url == self.alert_url and
              not self.driver.find_elements(By.CSS_SELECTOR, "form[action$='/acknowledge']"),
              f"[{self.language}] acknowledged, the alert page no longer offers to acknowledge")
        check(expect(200, "GET", f"/api/v1/alerts/{alert_id}", token=admin_token)["status"] == "acknowledged",
              f"[{self.language}] the alert is acknowledged")

        self.incident_text = f"Tamper alarm {MARKUP} \"case\" & '开盖' 报警"
        form = self.driver.find_element(By.CSS_SELECTOR, "form[action$='/incident']")
        fill(self.driver, "form[action$='/incident'] #description", self.incident_text)
        submit(self.driver, form)
        found = re.fullmatch(f"{re.escape(base)}/incidents/({UUID})", self.driver.current_url)
        check(found is not None, f"[{self.language}] opening an incident lands on its page:\n{shown(self.driver)}")
        self.incident_url = self.driver.current_url
        main = self.driver.find_element(By.TAG_NAME, "main").text
        check(self.incident_text in main, f"[{self.language}] the incident page shows the description as text")

        self.driver.get(self.alert_url)
        forms = self.driver.find_elements(By.CSS_SELECTOR, "form[action$='/resolve']")
        check(forms, f"[{self.language}] the alert can still be resolved after an incident was opened from it")
        if forms:
            fill(self.driver, "#reason", "Case opened by the engineer on a maintenance visit — 维修")
            forms[0].find_element(By.CSS_SELECTOR, "input[name=false_positive]").click()
            submit(self.driver, forms[0])
            resolved = expect(200, "GET", f"/api/v1/alerts/{alert_id}", token=admin_token)
            check(resolved["status"] == "resolved" and resolved.get("false_positive") is True,
                  f"[{self.language}] resolved as a false positive ({resolved})")
            check(not self.driver.find_elements(By.CSS_SELECTOR, "form[action$='/resolve']")
                  and "维修" in self.driver.find_element(By.TAG_NAME, "main").text,
                  f"[{self.language}] the alert page shows the resolution and offers no more to resolve")
        self.browser_log("the alert page after resolving")

    # ---- 5. the defences a user meets

    def defences(self):
        go(self.driver, self.terminal_url[len(base):])
        before = len(self.commands())
        posted = self.driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            fetch(arguments[0] + '/lock', {method: 'POST', credentials: 'same-origin',
                headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'confirm=on&message=forged'})
              .then(r => done(r.status), e => done(String(e)));""", self.terminal_url)
        check(posted == 403, f"[{self.language}] a POST without csrf_token answers 403 (got {posted})")
        self.driver.get_log("browser")  # the refused POST's 403 is logged, as it should be
        # The same, as a user would meet it: a form whose token is wrong.
        self.driver.execute_script(
            "document.querySelector(\"form[action$='/lock'] input[name=csrf_token]\").value = 'forged';")
        form = self.driver.find_element(By.CSS_SELECTOR, "form[action$='/lock']")
        form.find_element(By.CSS_SELECTOR, "input[name=confirm]").click()
        submit(self.driver, form)
        check(self.driver.find_elements(By.CSS_SELECTOR, ".notice.error"),
              f"[{self.language}] a form with a forged token shows an error:\n{shown(self.driver)}")
        self.photograph_current("csrf-refused")
        check(len(self.commands()) == before, f"[{self.language}] and the forged form issued no command")
        self.driver.get_log("browser")  # the forged form's 403 too

        store_path = f"/stores/{self.world['store']['id']}"
        for path, text in (("/merchants", MERCHANT_NAME), ("/stores", STORE_NAME), (store_path, STORE_NAME),
                           (self.incident_url[len(base):], self.incident_text),
                           ("/users", self.world["users"]["zh-Hans"][2])):
            go(self.driver, path)
            main = self.driver.find_element(By.TAG_NAME, "main").text
            check(text in main, f"[{self.language}] {path} shows the name with markup as text")
            check(ESCAPED in self.driver.page_source, f"[{self.language}] {path}'s source holds {ESCAPED}")
            scripts = self.driver.execute_script("return [...document.scripts].map(s => s.src || 'inline');")
            check(scripts == [f"{base}/assets/console.js"],
                  f"[{self.language}] {path} runs no script but the console's own ({scripts})")
            try:
                text = self.driver.switch_to.alert.text
                check(False, f"[{self.language}] {path} opened a JavaScript alert: {text}")
            except NoAlertPresentException:
                pass
            self.browser_log(path)
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in self.driver.get_cookies())
        request = urllib.request.Request(base + "/merchants", headers={"Cookie": cookie})
        with urllib.request.urlopen(request) as answer:
            raw = answer.read().decode()
            policy = answer.headers.get("Content-Security-Policy", "")
        check(MARKUP not in raw and ESCAPED in raw, f"[{self.language}] the server escaped the markup itself")
        check("script-src 'self'" in policy and "unsafe-inline" not in policy,
              f"[{self.language}] the pages carry a strict Content-Security-Policy ({policy!r})")

    # ---- 6. every main page, photographed

    def photographs(self):
        store = self.world["store"]["id"]
        pages = [("overview", "/"), ("terminals", "/terminals"), ("terminal", self.terminal_url[len(base):]),
                 ("alerts", "/alerts"), ("alert", self.alert_url[len(base):]), ("incidents", "/incidents"),
                 ("incident", self.incident_url[len(base):]), ("stores", "/stores"), ("store", f"/stores/{store}"),
                 ("merchants", "/merchants"), ("users", "/users"), ("webhooks", "/webhooks"),
                 ("screening", "/screening"), ("account", "/account")]
        for key, path in pages:
            self.photograph(key, path)
        self.sign_out()

    def run(self):
        try:
            for step in (self.authenticator, self.lock, self.live_alert, self.work_alert, self.defences,
                         self.photographs):
                print(f"[{self.language}] {step.__name__}")
                step()
        except Exception as error:  # one language's surprise is reported, and the other language still runs
            check(False, f"[{self.language}] {error}")
            if not isinstance(error, AssertionError):
                traceback.print_exc()
                print(shown(self.driver), file=sys.stderr)
            try:
                self.driver.save_screenshot(os.path.join(screens, f"{self.language}-FAILED.png"))
            except WebDriverException:
                pass
        finally:
            self.driver.quit()


try:
    if not wait_ready():
        server_log.flush()
        raise SystemExit(f"the server never answered /readyz: {open(server_log.name).read()[-2000:]}")
    admin_token = expect(201, "POST", "/api/v1/session", {"email": ADMIN[0], "password": ADMIN[1]})["token"]
    world = prepare(admin_token)
    for language in LANGUAGES:
        Session(language, world).run()
finally:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
    server_log.close()
    shutil.rmtree(data_dir, ignore_errors=True)
    if check.failed or sys.exc_info()[0] is not None:
        print(f"the server's log: {server_log.name}", file=sys.stderr)
    else:
        shutil.rmtree(log_dir, ignore_errors=True)

with open(os.path.join(screens, "notes.txt"), "w") as file:
    file.write("\n".join(notes) + "\n")
if keep_screens or check.failed:
    print(f"screenshots and notes in {screens}")
else:
    shutil.rmtree(screens, ignore_errors=True)
check.finish(f"the console in a browser ({', '.join(LANGUAGES)})")
