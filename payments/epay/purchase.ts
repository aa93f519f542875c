/**
 * The page-jump purchase Epay expects: a form posted (or a GET) to `<PayAddress>/submit.php` with pid,
 * type, out_trade_no, notify_url, return_url, name, money, device, and the MD5 `sign`. New API answers
 * `/api/user/pay` with exactly this: `data` the fields, `url` the address.
 */
import { type EpayParams, epaySign } from "./sign.ts";

export interface EpayMerchant {
  /** PayAddress: the gateway's base URL. */
  address: string;
  /** EpayId: the merchant (partner) id, `pid`. */
  pid: string;
  /** EpayKey: the signing key. */
  key: string;
}

export interface EpayOrder {
  type: string;
  tradeNo: string;
  name: string;
  /** Yuan (or the site's currency), two decimals as Epay wants. */
  money: string;
  notifyUrl: string;
  returnUrl: string;
}

export function epayPurchase(m: EpayMerchant, order: EpayOrder): { url: string; params: EpayParams } {
  const params: EpayParams = {
    pid: m.pid,
    type: order.type,
    out_trade_no: order.tradeNo,
    notify_url: order.notifyUrl,
    return_url: order.returnUrl,
    name: order.name,
    money: order.money,
    device: "pc",
  };
  params.sign = epaySign(params, m.key);
  params.sign_type = "MD5";
  return { url: `${m.address.replace(/\/+$/, "")}/submit.php`, params };
}
