// Registration proof of work (server side: accounts/proof_of_work.py): find a decimal
// nonce such that SHA-256(prefix + nonce) starts with `difficulty` zero bits, and put
// it in the form's hidden field. Our own SHA-256, because crypto.subtle exists only on
// HTTPS and localhost. The search runs in a Web Worker (this same file) when the
// browser has one, otherwise in small slices that keep the page responsive.
(function (root) {
  "use strict";

  // First 32 bits of the fractional parts of the cube roots of the first 64 primes,
  // and of the square roots of the first 8 (FIPS 180-4).
  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ];
  var H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  var W = new Int32Array(64);

  function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }

  // SHA-256 of an ASCII string, as eight 32-bit words.
  function sha256Words(text) {
    var length = text.length;
    var blocks = ((length + 8) >> 6) + 1;
    var words = new Int32Array(blocks * 16);
    for (var i = 0; i < length; i++) words[i >> 2] |= (text.charCodeAt(i) & 0xff) << (24 - (i % 4) * 8);
    words[length >> 2] |= 0x80 << (24 - (length % 4) * 8);
    words[blocks * 16 - 1] = length * 8;
    var h = H0.slice();
    for (var b = 0; b < blocks; b++) {
      for (var t = 0; t < 16; t++) W[t] = words[b * 16 + t];
      for (t = 16; t < 64; t++) {
        var x = W[t - 15], y = W[t - 2];
        var s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3);
        var s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
        W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
      }
      var a = h[0], c1 = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
      for (t = 0; t < 64; t++) {
        var S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        var ch = (e & f) ^ (~e & g);
        var temp1 = (hh + S1 + ch + K[t] + W[t]) | 0;
        var S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        var maj = (a & c1) ^ (a & c) ^ (c1 & c);
        var temp2 = (S0 + maj) | 0;
        hh = g; g = f; f = e; e = (d + temp1) | 0;
        d = c; c = c1; c1 = a; a = (temp1 + temp2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + c1) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
    }
    return h;
  }

  function sha256Hex(text) {
    return sha256Words(text).map(function (word) {
      return ("00000000" + (word >>> 0).toString(16)).slice(-8);
    }).join("");
  }

  function leadingZeroBits(words) {
    var bits = 0;
    for (var i = 0; i < words.length; i++) {
      var z = Math.clz32(words[i]);
      bits += z;
      if (z < 32) break;
    }
    return bits;
  }

  // Try nonces from `start` for at most `count` steps; the nonce found, or null.
  function search(prefix, difficulty, start, count) {
    for (var n = start; n < start + count; n++) {
      if (leadingZeroBits(sha256Words(prefix + n)) >= difficulty) return String(n);
    }
    return null;
  }

  function solve(prefix, difficulty) {
    for (var start = 0; ; start += 100000) {
      var found = search(prefix, difficulty, start, 100000);
      if (found !== null) return found;
    }
  }

  var api = { sha256Hex: sha256Hex, leadingZeroBits: leadingZeroBits, solve: solve };
  if (typeof module !== "undefined" && module.exports) { module.exports = api; return; }

  // Inside the Web Worker: solve what the page sends and answer with the nonce.
  if (typeof root.document === "undefined") {
    root.onmessage = function (event) {
      root.postMessage(solve(event.data.prefix, event.data.difficulty));
    };
    return;
  }

  var nonceInput = root.document.querySelector("input[data-challenge-prefix]");
  if (!nonceInput) return;
  var form = nonceInput.form;
  var status = root.document.getElementById("challenge-status");
  var prefix = nonceInput.dataset.challengePrefix;
  var difficulty = Number(nonceInput.dataset.challengeDifficulty);
  var scriptUrl = root.document.currentScript && root.document.currentScript.src;
  var solved = false;
  var submitWhenSolved = false;

  function say(text) { if (status) status.textContent = text; }

  function done(nonce) {
    nonceInput.value = nonce;
    solved = true;
    say("Trình duyệt đã sẵn sàng để đăng ký.");
    if (submitWhenSolved) form.submit();
  }

  function inSlices(start) {
    var found = search(prefix, difficulty, start, 5000);
    if (found !== null) done(found);
    else setTimeout(function () { inSlices(start + 5000); }, 0);
  }

  form.addEventListener("submit", function (event) {
    if (solved) return;
    event.preventDefault();
    submitWhenSolved = true;
    say("Đang kiểm tra trình duyệt, vui lòng chờ trong giây lát…");
  });

  say("Đang kiểm tra trình duyệt…");
  var worker = null;
  if (root.Worker && scriptUrl) {
    try { worker = new root.Worker(scriptUrl); } catch (e) { worker = null; }
  }
  if (worker) {
    worker.onmessage = function (event) { worker.terminate(); done(event.data); };
    worker.onerror = function () { worker.terminate(); inSlices(0); };
    worker.postMessage({ prefix: prefix, difficulty: difficulty });
  } else {
    inSlices(0);
  }
})(typeof self !== "undefined" ? self : this);
