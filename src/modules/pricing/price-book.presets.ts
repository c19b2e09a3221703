import type { PriceBookName } from '../../config';

export enum PricingModel {
  FIXED = 'FIXED',
  PER_SECOND = 'PER_SECOND',
  PASS_THROUGH = 'PASS_THROUGH',
}

export interface FeaturePriceDef {
  feature: string;
  label: string;
  model: PricingModel;
  unit: string;
  /** Micro-credits per unit; null for PASS_THROUGH (the provider's cost times the markup). */
  rate: bigint | null;
  provider: string | null;
  /** Largest quantity one charge may carry (a guard against absurd input). */
  maxQuantity: number;
}

export interface CreditPackDef {
  id: string;
  name: string;
  /** Price in the smallest currency unit (cents). */
  priceMinor: number;
  currency: string;
  credits: bigint;
  stripePriceEnv?: string;
}

export interface PlanDef {
  id: string;
  name: string;
  monthlyCredits: bigint;
  priceMinor: number;
  currency: string;
}

export interface PriceBookDef {
  name: PriceBookName;
  currency: string;
  /** What one credit is worth, in `currency`, as shown to users. */
  creditValue: string;
  signupBonus: bigint;
  features: FeaturePriceDef[];
  packs: CreditPackDef[];
  plans: PlanDef[];
}

const c = (credits: string): bigint => {
  const [w, f = ''] = credits.split('.');
  return BigInt(w) * 1_000_000n + BigInt(f.padEnd(6, '0'));
};

const passThrough = (feature: string, label: string): FeaturePriceDef => ({
  feature,
  label,
  model: PricingModel.PASS_THROUGH,
  unit: 'provider cost',
  rate: null,
  provider: null,
  maxQuantity: 1e9,
});

/** synfluencer: credits are USD 1:1, pay as you go, text at provider cost, video per second by provider. */
const synfluencer: PriceBookDef = {
  name: 'synfluencer',
  currency: 'usd',
  creditValue: '1.00',
  signupBonus: c('5'),
  features: [
    passThrough('trend_discovery', 'Trend discovery'),
    passThrough('content_generation', 'Content generation'),
    passThrough('qc_audit', 'QC audit'),
    passThrough('image_generation', 'Image generation'),
    { feature: 'talking_head', label: 'Talking head video (HeyGen)', model: PricingModel.PER_SECOND, unit: 'second', rate: c('0.10'), provider: 'heygen', maxQuantity: 86_400 },
    { feature: 'ai_video', label: 'AI video (Veo)', model: PricingModel.PER_SECOND, unit: 'second', rate: c('0.13'), provider: 'veo', maxQuantity: 86_400 },
    { feature: 'motion_video', label: 'Motion video (Kling)', model: PricingModel.PER_SECOND, unit: 'second', rate: c('0.15'), provider: 'kling', maxQuantity: 86_400 },
  ],
  packs: [10, 25, 50, 100].map((n) => ({ id: `pack_${n}`, name: `${n} credits`, priceMinor: n * 100, currency: 'usd', credits: c(String(n)) })),
  plans: [],
};

/** influgen: abstract credits, fixed prices per action, monthly plans, packs that stack. */
const influgen: PriceBookDef = {
  name: 'influgen',
  currency: 'usd',
  creditValue: '0.09',
  signupBonus: c('50'),
  features: [
    { feature: 'face_generation', label: 'Face generation', model: PricingModel.FIXED, unit: 'face', rate: c('5'), provider: null, maxQuantity: 1000 },
    { feature: 'sample_image', label: 'Sample image', model: PricingModel.FIXED, unit: 'image', rate: c('3'), provider: null, maxQuantity: 1000 },
    { feature: 'video', label: 'Video (up to 60 s)', model: PricingModel.FIXED, unit: 'video', rate: c('8'), provider: null, maxQuantity: 1000 },
    { feature: 'caption', label: 'Caption', model: PricingModel.FIXED, unit: 'caption', rate: c('1'), provider: null, maxQuantity: 1000 },
  ],
  packs: [
    { id: 'pack_100', name: '100 credits', priceMinor: 900, currency: 'usd', credits: c('100') },
    { id: 'pack_250', name: '250 credits', priceMinor: 2000, currency: 'usd', credits: c('250') },
    { id: 'pack_500', name: '500 credits', priceMinor: 3500, currency: 'usd', credits: c('500') },
    { id: 'pack_1000', name: '1000 credits', priceMinor: 6000, currency: 'usd', credits: c('1000') },
  ],
  plans: [
    { id: 'starter', name: 'Starter', monthlyCredits: c('50'), priceMinor: 900, currency: 'usd' },
    { id: 'growth', name: 'Growth', monthlyCredits: c('200'), priceMinor: 2900, currency: 'usd' },
    { id: 'agency', name: 'Agency', monthlyCredits: c('500'), priceMinor: 5900, currency: 'usd' },
  ],
};

export const PRICE_BOOKS: Record<PriceBookName, PriceBookDef> = { synfluencer, influgen };
