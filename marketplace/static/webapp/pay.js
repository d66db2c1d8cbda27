// Paying a job. The sandbox's pay_url is a page: a link to it. WeChat Pay's (Native) is a
// weixin:// code only WeChat's scanner opens: the app shows it as a QR code the server draws
// (POST /payments/{id}/wechatpay/qr), the amount in yuan beside it; the job turns open on
// the screen when WeChat Pay's notification arrives (the event stream redraws the job).
// Inside WeChat's own browser the QR code is shown too: paying there (JSAPI) needs the
// payer's openid from WeChat's OAuth, which the API does not have.
import { api } from "./api.js";
import { h } from "./dom.js";
import { t, yuan } from "./i18n.js";

export const isWechatQr = (payment) => (payment?.pay_url || "").startsWith("weixin://");
const inWechat = () => /MicroMessenger/i.test(navigator.userAgent);

// Each code is asked for once, even by redraws while it is on its way (kept by code_url).
const codes = new Map();

function fill(panel, payment) {
  const box = panel.querySelector(".qr-box");
  if (!codes.has(payment.pay_url)) {
    const asked = api("POST", `/payments/${payment.id}/wechatpay/qr`, {});
    asked.catch(() => codes.delete(payment.pay_url)); // asked again on the next redraw
    codes.set(payment.pay_url, asked);
  }
  codes.get(payment.pay_url).then(
    (qr) => box.replaceChildren(h("img", { class: "qr", src: qr.qr_svg_data_url, alt: t("wechat_qr_alt"), width: 240, height: 240, "data-code-url": qr.code_url })),
    (error) => box.replaceChildren(h("p", { class: "error", role: "alert" }, error.message)),
  );
}

// The QR code panel of one job's payment.
export function wechatPayPanel(job) {
  const panel = h(
    "div",
    { class: "wechat-pay", "data-wechat-pay": job.payment.id },
    h("p", { class: "scan" }, t("wechat_scan")),
    h("div", { class: "qr-box" }, h("p", { class: "muted" }, t("loading"))),
    h("p", { class: "quote", "data-amount": job.payment.amount_fen }, yuan(job.payment.amount_fen)),
    h("p", { class: "muted" }, t(inWechat() ? "wechat_inside" : "wechat_waiting")),
  );
  fill(panel, job.payment);
  return panel;
}

// What pays a job awaiting payment: the QR code, or the gateway's page. ``attrs`` go on a link.
export function payControl(job, label, attrs = {}) {
  if (isWechatQr(job.payment)) return wechatPayPanel(job);
  return h("a", { class: "primary", href: job.payment.pay_url, ...attrs }, label);
}
