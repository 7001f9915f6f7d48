// Turns the long unit <select> into a search box: type part of a name, accents optional.
(function () {
  "use strict";
  function fold(text) {
    return text.replace(/Đ/g, "D").replace(/đ/g, "d").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
  }
  document.querySelectorAll("select[data-unit-picker]").forEach(function (select) {
    var entries = [];
    select.querySelectorAll("option").forEach(function (opt) {
      if (!opt.value) return;
      var group = opt.parentElement.tagName === "OPTGROUP" ? opt.parentElement.label : "";
      entries.push({ value: opt.value, name: opt.textContent, group: group,
                     key: fold(opt.textContent + " " + group) });
    });
    var box = document.createElement("div");
    box.className = "unit-search";
    var input = document.createElement("input");
    input.type = "search";
    input.id = select.id + "_search";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("placeholder", "Gõ tên xã, phường, cơ quan…");
    input.setAttribute("aria-label", "Tìm đơn vị");
    input.setAttribute("aria-controls", select.id + "_results");
    var chosen = document.createElement("p");
    chosen.className = "unit-chosen";
    chosen.setAttribute("aria-live", "polite");
    var list = document.createElement("ul");
    list.className = "unit-results";
    list.id = select.id + "_results";
    list.hidden = true;
    box.appendChild(input);
    box.appendChild(list);
    box.appendChild(chosen);
    select.parentNode.insertBefore(box, select);
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "linklike";
    toggle.textContent = "Hoặc chọn từ danh sách";
    select.hidden = true;
    toggle.addEventListener("click", function () { select.hidden = !select.hidden; });
    box.appendChild(toggle);

    function showChosen() {
      var opt = select.options[select.selectedIndex];
      chosen.textContent = opt && opt.value ? "Đã chọn: " + opt.textContent : "";
    }
    function search() {
      var words = fold(input.value).split(" ").filter(Boolean);
      list.innerHTML = "";
      if (!words.length) { list.hidden = true; return; }
      var hits = entries.filter(function (e) {
        return words.every(function (w) { return e.key.indexOf(w) !== -1; });
      }).slice(0, 40);
      hits.forEach(function (e) {
        var li = document.createElement("li");
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = e.name;
        if (e.group && e.group !== e.name) {
          var small = document.createElement("small");
          small.textContent = e.group;
          b.appendChild(small);
        }
        b.addEventListener("click", function () {
          select.value = e.value;
          select.dispatchEvent(new Event("change"));
          list.hidden = true;
          input.value = "";
          showChosen();
        });
        li.appendChild(b);
        list.appendChild(li);
      });
      if (!hits.length) {
        var none = document.createElement("li");
        none.textContent = "Không tìm thấy đơn vị phù hợp.";
        none.style.padding = "10px 12px";
        list.appendChild(none);
      }
      list.hidden = false;
    }
    input.addEventListener("input", search);
    select.addEventListener("change", showChosen);
    showChosen();
  });
})();
